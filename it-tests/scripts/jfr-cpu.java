// Where a phase's CPU went, from -Dbench.jfr recordings (README, section Benchmark, "Profiling a phase"):
//   java it-tests/scripts/jfr-cpu.java MAILS FILE.jfr [FILE.jfr ...]
// The files are added up (e.g. both rounds of one path: MAILS = the mails they carried together).
// CPU samples (jdk.ExecutionSample: threads running Java code) by category, the innermost matching frame deciding
// (a handshake anywhere on the stack counts as handshake); socket writes and reads by our delivery threads (a frame
// of org.jamestls on the stack) per mail, with their sizes (on a TLS socket one write is one TLS record, and JSSE
// reads a record's header and its body apart); GC pauses; the hottest top frames. Samples of threads in native code (the kernel's socket work)
// are not CPU samples: jdk.NativeMethodSample of socket writes are counted apart.
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

public class JfrCpu {
    static final String[] HANDSHAKE_CLASSES = {"ClientHello", "ServerHello", "CertificateMessage", "CertificateVerify",
        "CertificateRequest", "KeyShare", "KeyExchange", "Finished", "NewSessionTicket", "SSLHandshake",
        "HandshakeContext", "PreSharedKey", "SessionTicket", "X509Authentication", "SSLSessionImpl", "EncryptedExtensions",
        "SupportedGroups", "SignatureScheme", "ChangeCipherSpec", "SSLSecretDerivation", "SSLTrafficKeyDerivation",
        "HKDF", "SSLKeyDerivation", "SSLMasterKeyDerivation", "SSLExtensions", "SSLExtension", "SSLContextImpl",
        "SSLEngineImpl"};

    public static void main(String[] args) throws Exception {
        int mails = Integer.parseInt(args[0]);
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            files.add(Path.of(args[i]));
        }
        report(files, mails);
    }

    static void report(List<Path> files, int mails) throws Exception {
        Map<String, Integer> categories = new TreeMap<>();
        Map<String, Integer> topFrames = new TreeMap<>();
        Map<String, Integer> ourFrames = new TreeMap<>();
        int samples = 0, nativeWrites = 0;
        long writes = 0, writeBytes = 0, reads = 0, readBytes = 0;
        Map<String, Long> writeSizes = new TreeMap<>();
        Duration gc = Duration.ZERO;
        List<RecordedEvent> events = new ArrayList<>();
        for (Path file : files) {
            events.addAll(RecordingFile.readAllEvents(file));
        }
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            RecordedStackTrace st = e.getStackTrace();
            switch (type) {
                case "jdk.ExecutionSample":
                    samples++;
                    categories.merge(category(st), 1, Integer::sum);
                    if (st != null && !st.getFrames().isEmpty()) {
                        topFrames.merge(name(st.getFrames().get(0)), 1, Integer::sum);
                        ourFrames.merge(firstOurs(st), 1, Integer::sum);
                    }
                    break;
                case "jdk.NativeMethodSample":
                    if (st != null && !st.getFrames().isEmpty() && name(st.getFrames().get(0)).contains("write")) {
                        nativeWrites++;
                    }
                    break;
                case "jdk.SocketWrite":
                    if (ours(st)) {
                        writes++;
                        long n = e.getLong("bytesWritten");
                        writeBytes += n;
                        writeSizes.merge(bucket(n), 1L, Long::sum);
                    }
                    break;
                case "jdk.SocketRead":
                    if (ours(st)) {
                        reads++;
                        readBytes += Math.max(0, e.getLong("bytesRead"));
                    }
                    break;
                case "jdk.GarbageCollection":
                    gc = gc.plus(e.getDuration("sumOfPauses"));
                    break;
                default:
            }
        }
        System.out.printf("%n== %s: %d CPU samples (%.2f per mail), GC pauses %d ms%n", files, samples,
            samples / (double) mails, gc.toMillis());
        int total = samples;
        sorted(categories).forEach((k, v) -> System.out.printf("  %-46s %6d  %5.1f%%%n", k, v, 100.0 * v / total));
        System.out.printf("  socket writes by delivery threads: %.2f per mail, %.0f bytes each on average; sizes %s%n",
            writes / (double) mails, writes == 0 ? 0.0 : writeBytes / (double) writes, writeSizes);
        System.out.printf("  socket reads by delivery threads: %.2f per mail, %.0f bytes each; native socket-write samples %d%n",
            reads / (double) mails, reads == 0 ? 0.0 : readBytes / (double) reads, nativeWrites);
        System.out.println("  hottest top frames:");
        top(topFrames, 15).forEach((k, v) -> System.out.printf("    %5.1f%%  %s%n", 100.0 * v / total, k));
        System.out.println("  innermost org.jamestls frame:");
        top(ourFrames, 12).forEach((k, v) -> System.out.printf("    %5.1f%%  %s%n", 100.0 * v / total, k));
    }

    static String category(RecordedStackTrace st) {
        if (st == null) {
            return "(no stack)";
        }
        List<RecordedFrame> frames = st.getFrames();
        for (RecordedFrame f : frames) {
            if (isHandshake(f)) {
                return "TLS handshake: " + handshakePart(frames);
            }
        }
        for (RecordedFrame f : frames) {
            String c = f.getMethod().getType().getName();
            if (c.startsWith("com.sun.crypto.provider.") || c.startsWith("sun.security.ssl.SSLCipher")
                || c.startsWith("javax.crypto.")) {
                return "TLS record crypto (AES-GCM)";
            }
            if (c.startsWith("sun.security.ssl.")) {
                return "TLS record layer (JSSE, not crypto)";
            }
            if (c.startsWith("org.jamestls.smtp.")) {
                return "ours: SMTP client (org.jamestls.smtp)";
            }
            if (c.startsWith("com.sun.mail.") || c.startsWith("javax.mail.") || c.startsWith("org.apache.james.server.core.Mime")) {
                return "message serialisation (javax.mail, James MimeMessage)";
            }
            if (c.startsWith("org.jamestls.it.")) {
                return "sink / proxy (benchmark vehicle)";
            }
            if (c.startsWith("org.jamestls.")) {
                return "ours: delivery (org.jamestls, other)";
            }
            if (c.startsWith("io.netty.") || c.startsWith("org.apache.james.protocols.")
                || c.startsWith("org.apache.james.smtpserver.")) {
                return "James SMTP intake (netty, protocols)";
            }
            if (c.startsWith("org.apache.james.queue.") || c.startsWith("org.apache.james.mailetcontainer.")
                || c.startsWith("org.apache.mailet.") || c.startsWith("org.apache.james.")) {
                return "James (queue, mailet container, other)";
            }
            if (c.startsWith("reactor.")) {
                return "reactor";
            }
        }
        String top = frames.isEmpty() ? "?" : frames.get(0).getMethod().getType().getName();
        int dot = top.lastIndexOf('.');
        return "other JDK: " + (dot < 0 ? top : top.substring(0, dot));
    }

    /** The handshake's part a sample belongs to, by its innermost telling frame. */
    static String handshakePart(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String c = f.getMethod().getType().getName();
            if (c.contains("P256") || c.startsWith("sun.security.ec.ECOperations") || c.startsWith("sun.security.ec.ECKeyPair")) {
                return "secp256r1 key share (JDK 17 sends x25519 and secp256r1 shares)";
            }
            if (c.contains("25519") || c.startsWith("sun.security.ec.XEC") || c.startsWith("sun.security.ec.XDH")) {
                return "x25519 key exchange";
            }
            if (c.startsWith("sun.security.rsa.") || c.startsWith("java.math.BigInteger")) {
                return "RSA signature check";
            }
            if (c.startsWith("sun.security.x509.") || c.startsWith("sun.security.provider.certpath.")
                || c.startsWith("sun.security.util.DerValue") || c.startsWith("sun.security.util.DerInputStream")) {
                return "certificate parsing";
            }
        }
        return "other (messages, HKDF, contexts)";
    }

    static boolean isHandshake(RecordedFrame f) {
        String c = f.getMethod().getType().getName();
        if (c.startsWith("sun.security.rsa.") || c.startsWith("sun.security.ec.") || c.startsWith("sun.security.x509.")
            || c.startsWith("sun.security.provider.certpath.") || c.startsWith("sun.security.util.math.")
            || f.getMethod().getName().equals("startHandshake")) {
            return true;
        }
        if (!c.startsWith("sun.security.ssl.")) {
            return false;
        }
        String simple = c.substring("sun.security.ssl.".length());
        for (String h : HANDSHAKE_CLASSES) {
            if (simple.startsWith(h)) {
                return true;
            }
        }
        return false;
    }

    static boolean ours(RecordedStackTrace st) {
        if (st == null) {
            return false;
        }
        for (RecordedFrame f : st.getFrames()) {
            if (f.getMethod().getType().getName().startsWith("org.jamestls.")
                && !f.getMethod().getType().getName().startsWith("org.jamestls.it.")) {
                return true;
            }
        }
        return false;
    }

    static String firstOurs(RecordedStackTrace st) {
        for (RecordedFrame f : st.getFrames()) {
            if (f.getMethod().getType().getName().startsWith("org.jamestls.")) {
                return name(f);
            }
        }
        return "(none)";
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static String bucket(long n) {
        long b = 16;
        while (b < n) {
            b *= 4;
        }
        return "<=" + b;
    }

    static Map<String, Integer> sorted(Map<String, Integer> m) {
        return top(m, Integer.MAX_VALUE);
    }

    static Map<String, Integer> top(Map<String, Integer> m, int n) {
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(m.entrySet());
        entries.sort((a, b) -> b.getValue() - a.getValue());
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : entries.subList(0, Math.min(n, entries.size()))) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
