package org.jamestls.mailet;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;

import javax.mail.MessagingException;

import org.apache.james.filesystem.api.FileSystem;
import org.jamestls.policy.PolicyConfigurationException;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.policy.TlsPolicyParser;

/** Reads the policy file through James's FileSystem, so {@code file://conf/...} URLs work as elsewhere in James. */
final class PolicyLoader {
    private PolicyLoader() {
    }

    static TlsPolicy load(FileSystem fileSystem, String policyUrl) throws MessagingException {
        File file;
        try {
            file = fileSystem.getFile(policyUrl);
        } catch (FileNotFoundException e) {
            throw missing(policyUrl, e.getMessage());
        }
        if (!file.isFile()) {
            throw missing(policyUrl, file.getAbsolutePath());
        }
        try (InputStream in = Files.newInputStream(file.toPath())) {
            return TlsPolicyParser.parse(in, file.getAbsolutePath());
        } catch (PolicyConfigurationException e) {
            throw new MessagingException("Invalid TLS policy: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MessagingException("Cannot read TLS policy file " + file.getAbsolutePath() + " (<policyFile>"
                + policyUrl + "</policyFile>): " + e.getMessage(), e);
        }
    }

    private static MessagingException missing(String policyUrl, String where) {
        return new MessagingException("TLS policy file not found: <policyFile>" + policyUrl + "</policyFile> ("
            + where + ") does not exist; create it or point policyFile at an existing file");
    }
}
