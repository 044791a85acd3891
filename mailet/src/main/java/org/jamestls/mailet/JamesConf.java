package org.jamestls.mailet;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringTokenizer;

import javax.mail.MessagingException;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.apache.james.filesystem.api.FileSystem;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * What James's own configuration files say that the mailet needs to know, read through James's FileSystem (so
 * {@code file://conf/...} is the same directory James reads), with DOCTYPEs refused.
 */
final class JamesConf {
    static final String DNS_SERVICE = "file://conf/dnsservice.xml";
    static final String SMTP_SERVER = "file://conf/smtpserver.xml";

    private final FileSystem fileSystem;

    JamesConf(FileSystem fileSystem) {
        this.fileSystem = fileSystem;
    }

    /** The first {@code <server>} of dnsservice.xml, if the file has one. */
    Optional<String> firstDnsServer() throws MessagingException {
        Optional<Document> conf = read(DNS_SERVICE);
        if (conf.isEmpty()) {
            return Optional.empty();
        }
        NodeList servers = conf.get().getElementsByTagName("server");
        if (servers.getLength() == 0 || servers.item(0).getTextContent().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(servers.item(0).getTextContent().trim());
    }

    /**
     * The entries of {@code <authorizedAddresses>} of every enabled {@code <smtpserver>} in smtpserver.xml, split
     * as James splits them (commas and spaces); empty when the file or the element is missing.
     */
    List<String> authorizedAddresses() throws MessagingException {
        List<String> entries = new ArrayList<>();
        Optional<Document> conf = read(SMTP_SERVER);
        if (conf.isEmpty()) {
            return entries;
        }
        NodeList servers = conf.get().getElementsByTagName("smtpserver");
        for (int i = 0; i < servers.getLength(); i++) {
            Element server = (Element) servers.item(i);
            if ("false".equalsIgnoreCase(server.getAttribute("enabled").trim())) {
                continue;
            }
            for (Node child = server.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child instanceof Element && ((Element) child).getTagName().equals("authorizedAddresses")) {
                    StringTokenizer tokens = new StringTokenizer(child.getTextContent(), ", \t\r\n", false);
                    while (tokens.hasMoreTokens()) {
                        entries.add(tokens.nextToken());
                    }
                }
            }
        }
        return entries;
    }

    /** The parsed file; empty when it does not exist. A file that is not well-formed XML stops start-up. */
    private Optional<Document> read(String url) throws MessagingException {
        try (InputStream in = fileSystem.getResource(url)) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return Optional.of(factory.newDocumentBuilder().parse(in));
        } catch (FileNotFoundException | NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw new MessagingException("Cannot read James's " + url + ": " + e.getMessage(), e);
        }
    }
}
