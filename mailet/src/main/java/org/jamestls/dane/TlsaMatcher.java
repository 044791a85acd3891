package org.jamestls.dane;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a receiver's certificate chain is authenticated by a set of TLSA records (RFC 7672 §3.1).
 *
 * <ul>
 * <li>DANE-EE(3): the leaf certificate (selector 0) or its key (selector 1) is the record; names and
 * validity dates are ignored (§3.1.1): the DNSSEC-signed record is the whole authentication.</li>
 * <li>DANE-TA(2): some certificate the server sent is the trust anchor, the chain from the leaf up to it
 * validates (signatures, validity dates of the certificates below the anchor, CA constraints; no
 * revocation), and the leaf names the MX host or another reference name (§3.1.2, §3.2.2). A "2 1 0"
 * record may also carry the anchor's full key when the server does not send the anchor (RFC 7671 §5.2.2).
 * The leaf itself can be the anchor only when it is self-issued.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class TlsaMatcher {
    private final List<TlsaRecord> records;
    private final ReferenceNames names;
    private final Clock clock;

    /** @param records TLSA records; those not usable for SMTP are ignored */
    public TlsaMatcher(List<TlsaRecord> records, ReferenceNames names) {
        this(records, names, Clock.systemUTC());
    }

    TlsaMatcher(List<TlsaRecord> records, ReferenceNames names, Clock clock) {
        this.records = Collections.unmodifiableList(records.stream().filter(TlsaRecord::isUsableForSmtp)
            .collect(Collectors.toList()));
        this.names = names;
        this.clock = clock;
    }

    public List<TlsaRecord> usableRecords() {
        return records;
    }

    public ReferenceNames referenceNames() {
        return names;
    }

    /** @param chain the peer's chain, leaf first, as the TLS handshake presents it */
    public TlsaMatch match(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return TlsaMatch.none("no TLSA record matches: the server sent no certificate");
        }
        X509Certificate leaf = chain.get(0);
        List<String> notes = new ArrayList<>();
        for (TlsaRecord r : records) {
            if (r.usage() == TlsaRecord.DANE_EE && r.matches(leaf)) {
                return TlsaMatch.matched(r, "dane-ee " + r);
            }
        }
        for (TlsaRecord r : records) {
            if (r.usage() != TlsaRecord.DANE_TA) {
                continue;
            }
            Optional<TlsaMatch> ta = matchTrustAnchor(r, chain, notes);
            if (ta.isPresent()) {
                return ta.get();
            }
        }
        StringBuilder why = new StringBuilder("no TLSA record matches: leaf ")
            .append(leaf.getSubjectX500Principal().getName())
            .append(" sha256 spki=").append(Hex.format(TlsaRecord.associationData(1, 1, leaf)))
            .append(" sha256 cert=").append(Hex.format(TlsaRecord.associationData(0, 1, leaf)))
            .append(", tried ")
            .append(records.stream().map(TlsaRecord::toString).collect(Collectors.joining(", ")));
        if (!notes.isEmpty()) {
            why.append("; ").append(String.join("; ", notes));
        }
        return TlsaMatch.none(why.toString());
    }

    private Optional<TlsaMatch> matchTrustAnchor(TlsaRecord r, List<X509Certificate> chain, List<String> notes) {
        X509Certificate leaf = chain.get(0);
        for (int depth = 0; depth < chain.size(); depth++) {
            X509Certificate candidate = chain.get(depth);
            if (!r.matches(candidate)) {
                continue;
            }
            String where = "depth " + depth + ", " + candidate.getSubjectX500Principal().getName();
            if (depth == 0 && !candidate.getSubjectX500Principal().equals(candidate.getIssuerX500Principal())) {
                notes.add(r + " matched the leaf, which is not self-issued and so cannot be its own trust anchor");
                continue;
            }
            Optional<String> chainProblem = depth == 0
                ? checkValidity(leaf)
                : validate(chain.subList(0, depth), new TrustAnchor(candidate, null));
            if (chainProblem.isPresent()) {
                notes.add(r + " matched " + where + " but the chain does not validate: " + chainProblem.get());
                continue;
            }
            if (!names.matches(leaf)) {
                notes.add(r + " matched " + where + " but the leaf names " + ReferenceNames.presentedNames(leaf)
                    + ", none of " + names);
                continue;
            }
            return Optional.of(TlsaMatch.matched(r, "dane-ta " + r + " (" + where + ")"));
        }
        if (r.selector() == TlsaRecord.SELECTOR_SPKI && r.matchingType() == TlsaRecord.MATCH_FULL) {
            return matchBareKey(r, chain, notes);
        }
        return Optional.empty();
    }

    /** "2 1 0": the anchor's key itself, allowed to be absent from the chain (RFC 7671 §5.2.2). */
    private Optional<TlsaMatch> matchBareKey(TlsaRecord r, List<X509Certificate> chain, List<String> notes) {
        Optional<PublicKey> key = publicKey(r.data());
        if (key.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate top = chain.get(chain.size() - 1);
        Optional<String> problem = validate(chain, new TrustAnchor(top.getIssuerX500Principal(), key.get(), null));
        if (problem.isPresent()) {
            return Optional.empty(); // the usual case: the key signs nothing here; not worth a note
        }
        if (!names.matches(chain.get(0))) {
            notes.add(r + " signs the chain but the leaf names " + ReferenceNames.presentedNames(chain.get(0))
                + ", none of " + names);
            return Optional.empty();
        }
        return Optional.of(TlsaMatch.matched(r, "dane-ta " + r + " (key of the issuer of " + top.getSubjectX500Principal().getName() + ")"));
    }

    private Optional<String> validate(List<X509Certificate> path, TrustAnchor anchor) {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(Set.of(anchor));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
            return Optional.empty();
        } catch (CertPathValidatorException e) {
            String at = e.getIndex() >= 0 ? " (certificate " + e.getIndex() + ")" : "";
            return Optional.of(e.getMessage() + at);
        } catch (GeneralSecurityException e) {
            return Optional.of(e.getMessage());
        }
    }

    private Optional<String> checkValidity(X509Certificate certificate) {
        try {
            certificate.checkValidity(Date.from(clock.instant()));
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Optional<PublicKey> publicKey(byte[] spki) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "DSA")) {
            try {
                return Optional.of(KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki)));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the next algorithm
            }
        }
        return Optional.empty();
    }
}
