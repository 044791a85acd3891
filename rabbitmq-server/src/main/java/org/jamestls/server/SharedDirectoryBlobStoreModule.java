package org.jamestls.server;

import java.nio.file.Path;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * Binds {@link BlobStoreDAO} to a {@link SharedDirectoryBlobStoreDAO} in the directory named by the system property
 * {@value #PROPERTY} (default {@code var/shared-blobs} under the working directory). The memory server's
 * de-duplicating {@code BlobStore} and hash blob ids stay as they are on top of it.
 */
public class SharedDirectoryBlobStoreModule extends AbstractModule {
    public static final String PROPERTY = "jamestls.shared.blobs";

    static Path directory() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of(System.getProperty("working.directory", "."), "var", "shared-blobs").toAbsolutePath();
    }

    @Provides
    @Singleton
    BlobStoreDAO sharedDirectory(BlobId.Factory blobIdFactory) {
        return new SharedDirectoryBlobStoreDAO(directory(), blobIdFactory);
    }
}
