package org.jamestls.mailet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.MailetConfig;
import org.jamestls.policy.TlsPolicy;
import org.jamestls.tlsrpt.HttpsReportPoster;
import org.jamestls.tlsrpt.TlsRptService;
import org.jamestls.tlsrpt.TlsRptSettings;

/**
 * Starts TLS reporting (RFC 8460) at start-up when some scope of the policy has {@code tlsRpt on}: the
 * {@code tlsRpt*} parameters (a missing {@code tlsRptFrom} stops start-up, naming it), the store under
 * {@code tlsRptStore}, and the service with its transport (mail through James, https POST trusting {@code tlsRptCa}
 * or the JDK's trust store). Off everywhere: nothing runs, the parameters are only checked.
 */
final class TlsRptSetup {
    private final MailetConfig config;
    private final TlsPolicy policy;
    private final FileSystem fileSystem;
    private final DNSService dnsService;
    private final MetricFactory metricFactory;

    TlsRptSetup(MailetConfig config, TlsPolicy policy, FileSystem fileSystem, DNSService dnsService,
                MetricFactory metricFactory) {
        this.config = config;
        this.policy = policy;
        this.fileSystem = fileSystem;
        this.dnsService = dnsService;
        this.metricFactory = metricFactory;
    }

    /** The running service, or empty when tlsRpt is off in every scope. */
    Optional<TlsRptService> start() throws MessagingException {
        boolean onSomewhere = policy.everyResolution().stream().anyMatch(r -> r.tlsRpt().value().isOn());
        Optional<TlsRptSettings> settings = TlsRptSettings.from(config, onSomewhere);
        if (settings.isEmpty()) {
            return Optional.empty();
        }
        Path store = storeDirectory(settings.get());
        HttpsReportPoster poster = new HttpsReportPoster(dnsService, PublishedPolicySetup.trust(fileSystem,
            settings.get().caUrl(), "Invalid mailet parameter <" + TlsRptSettings.CA + ">"));
        try {
            return Optional.of(TlsRptService.start(settings.get(), store, dnsService,
                new MailetReportTransport(config.getMailetContext(), poster), metricFactory, Clock.systemUTC()));
        } catch (IOException e) {
            throw new MessagingException("<" + TlsRptSettings.STORE + ">" + settings.get().storeUrl() + "</"
                + TlsRptSettings.STORE + "> is not usable: " + e.getMessage(), e);
        }
    }

    private Path storeDirectory(TlsRptSettings settings) throws MessagingException {
        try {
            return fileSystem.getFile(settings.storeUrl()).toPath();
        } catch (IOException e) {
            throw new MessagingException("<" + TlsRptSettings.STORE + ">" + settings.storeUrl() + "</"
                + TlsRptSettings.STORE + "> is not usable: " + e.getMessage(), e);
        }
    }
}
