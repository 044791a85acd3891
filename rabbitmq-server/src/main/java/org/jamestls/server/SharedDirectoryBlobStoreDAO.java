package org.jamestls.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.api.ObjectStoreIOException;
import org.reactivestreams.Publisher;

import com.google.common.io.ByteSource;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link BlobStoreDAO} in one directory that several James processes share (one file per blob:
 * {@code DIR/<bucket>/<blob id>}, both names base64url-encoded because hash blob ids contain '/').
 * A blob is written to a temporary file in the same directory and moved into place atomically, so a reader on
 * another node sees either no blob or the whole blob, and a node killed mid-write leaves only a temporary file.
 * Test vehicle only: the distributed app keeps blobs in Cassandra or S3.
 */
public class SharedDirectoryBlobStoreDAO implements BlobStoreDAO {
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path root;
    private final BlobId.Factory blobIdFactory;

    public SharedDirectoryBlobStoreDAO(Path root, BlobId.Factory blobIdFactory) {
        this.root = root;
        this.blobIdFactory = blobIdFactory;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the shared blob directory " + root, e);
        }
    }

    @Override
    public InputStream read(BucketName bucketName, BlobId blobId) {
        return new ByteArrayInputStream(bytes(bucketName, blobId));
    }

    @Override
    public Publisher<InputStream> readReactive(BucketName bucketName, BlobId blobId) {
        return Mono.fromCallable(() -> read(bucketName, blobId)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Publisher<byte[]> readBytes(BucketName bucketName, BlobId blobId) {
        return Mono.fromCallable(() -> bytes(bucketName, blobId)).subscribeOn(Schedulers.boundedElastic());
    }

    private byte[] bytes(BucketName bucketName, BlobId blobId) {
        Path file = file(bucketName, blobId);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException("blob not found: " + blobId.asString() + " in " + bucketName.asString());
        } catch (IOException e) {
            throw new ObjectStoreIOException("Cannot read " + file, e);
        }
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, byte[] data) {
        return Mono.<Void>fromRunnable(() -> write(bucketName, blobId, data)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, InputStream inputStream) {
        return Mono.fromCallable(inputStream::readAllBytes)
            .onErrorMap(IOException.class, e -> new ObjectStoreIOException("Cannot read the blob to save", e))
            .flatMap(data -> Mono.from(save(bucketName, blobId, data)));
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, ByteSource content) {
        return Mono.fromCallable(content::read)
            .onErrorMap(IOException.class, e -> new ObjectStoreIOException("Cannot read the blob to save", e))
            .flatMap(data -> Mono.from(save(bucketName, blobId, data)));
    }

    private void write(BucketName bucketName, BlobId blobId, byte[] data) {
        Path target = file(bucketName, blobId);
        try {
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
            Files.write(temp, data);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(temp);
                throw new ObjectStoreIOException("The shared blob directory " + root + " does not support atomic moves");
            }
        } catch (IOException e) {
            throw new ObjectStoreIOException("Cannot write " + target, e);
        }
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, BlobId blobId) {
        return Mono.<Void>fromRunnable(() -> {
            try {
                Files.deleteIfExists(file(bucketName, blobId));
            } catch (IOException e) {
                throw new ObjectStoreIOException("Cannot delete " + blobId.asString(), e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, Collection<BlobId> blobIds) {
        return Flux.fromIterable(blobIds).concatMap(id -> delete(bucketName, id)).then();
    }

    @Override
    public Publisher<Void> deleteBucket(BucketName bucketName) {
        return Mono.<Void>fromRunnable(() -> deleteDirectory(bucketDirectory(bucketName)))
            .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Publisher<BucketName> listBuckets() {
        return Flux.defer(() -> Flux.fromIterable(entries(root)))
            .filter(Files::isDirectory)
            .map(dir -> BucketName.of(decode(dir.getFileName().toString())))
            .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Publisher<BlobId> listBlobs(BucketName bucketName) {
        return Flux.defer(() -> Flux.fromIterable(entries(bucketDirectory(bucketName))))
            .map(file -> file.getFileName().toString())
            .filter(name -> !name.startsWith(TEMP_PREFIX))
            .map(name -> blobIdFactory.from(decode(name)))
            .subscribeOn(Schedulers.boundedElastic());
    }

    private static List<Path> entries(Path directory) {
        List<Path> entries = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return entries;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(entries::add);
        } catch (IOException e) {
            throw new ObjectStoreIOException("Cannot list " + directory, e);
        }
        return entries;
    }

    private static void deleteDirectory(Path directory) {
        for (Path entry : entries(directory)) {
            try {
                Files.deleteIfExists(entry);
            } catch (IOException e) {
                throw new ObjectStoreIOException("Cannot delete " + entry, e);
            }
        }
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            throw new ObjectStoreIOException("Cannot delete " + directory, e);
        }
    }

    private Path bucketDirectory(BucketName bucketName) {
        return root.resolve(encode(bucketName.asString()));
    }

    private Path file(BucketName bucketName, BlobId blobId) {
        return bucketDirectory(bucketName).resolve(encode(blobId.asString()));
    }

    private static String encode(String name) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String name) {
        return new String(Base64.getUrlDecoder().decode(name), StandardCharsets.UTF_8);
    }
}
