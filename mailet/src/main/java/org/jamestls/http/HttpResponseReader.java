package org.jamestls.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one HTTP/1.x response from a stream: status line, headers, and a body framed by Content-Length, chunked
 * transfer coding, or the end of the connection, never more than a size limit. Shared by the MTA-STS policy fetch
 * (GET) and the TLS report upload (POST).
 */
public final class HttpResponseReader {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] ([0-9]{3})(?: .*)?");
    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 100;

    /** Status and headers (names lower-cased; a repeated header keeps its last value). */
    public static final class Head {
        public final int status;
        public final Map<String, String> headers;

        Head(int status, Map<String, String> headers) {
            this.status = status;
            this.headers = headers;
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final InputStream in;

    public HttpResponseReader(InputStream in) {
        this.in = in;
    }

    public Head readHead() throws IOException, HttpException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new HttpException("connection closed before an HTTP response");
        }
        Matcher m = STATUS_LINE.matcher(statusLine);
        if (!m.matches()) {
            throw new HttpException("not an HTTP/1.x status line: '" + abbreviate(statusLine) + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int count = 0;; count++) {
            String line = readLine();
            if (line == null) {
                throw new HttpException("connection closed inside the HTTP headers");
            }
            if (line.isEmpty()) {
                break;
            }
            if (count >= MAX_HEADERS) {
                throw new HttpException("more than " + MAX_HEADERS + " HTTP headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new HttpException("malformed HTTP header '" + abbreviate(line) + "'");
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Head(Integer.parseInt(m.group(1)), headers);
    }

    /** The body after {@code head}, failing as soon as it would exceed {@code limit} bytes. */
    public byte[] readBody(Head head, int limit) throws IOException, HttpException {
        String transferEncoding = head.header("transfer-encoding");
        if (transferEncoding != null) {
            if (!transferEncoding.toLowerCase(Locale.ROOT).endsWith("chunked")) {
                throw new HttpException("unsupported Transfer-Encoding '" + transferEncoding + "'");
            }
            return readChunked(limit);
        }
        String contentLength = head.header("content-length");
        if (contentLength != null) {
            long length;
            try {
                length = Long.parseLong(contentLength);
            } catch (NumberFormatException e) {
                throw new HttpException("invalid Content-Length '" + contentLength + "'");
            }
            if (length < 0 || length > limit) {
                throw new HttpException("body of " + length + " bytes exceeds the limit of " + limit);
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new HttpException("body truncated at " + body.length + " of " + length + " bytes");
            }
            return body;
        }
        return readToEnd(limit);
    }

    private byte[] readChunked(int limit) throws IOException, HttpException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new HttpException("chunked body truncated");
            }
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new HttpException("invalid chunk size '" + abbreviate(sizeLine) + "'");
            }
            if (size == 0) {
                skipTrailers();
                return body.toByteArray();
            }
            if (size < 0 || body.size() + size > limit) {
                throw new HttpException("body exceeds the limit of " + limit + " bytes");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) {
                throw new HttpException("chunked body truncated");
            }
            body.write(chunk);
            String end = readLine();
            if (end == null || !end.isEmpty()) {
                throw new HttpException("chunk not followed by CRLF");
            }
        }
    }

    private void skipTrailers() throws IOException, HttpException {
        String line;
        do {
            line = readLine();
        } while (line != null && !line.isEmpty());
    }

    private byte[] readToEnd(int limit) throws IOException, HttpException {
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            throw new HttpException("body exceeds the limit of " + limit + " bytes");
        }
        return body;
    }

    /** A line without its CRLF or LF; null at end of stream before any byte. */
    private String readLine() throws IOException, HttpException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (line.size() >= MAX_LINE) {
                throw new HttpException("HTTP line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
