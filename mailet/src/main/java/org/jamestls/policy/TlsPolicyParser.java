package org.jamestls.policy;

import java.io.IOException;
import java.io.InputStream;
import java.net.IDN;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads {@code tls-policy.xml} strictly: anything not understood is an error rather than silently
 * ignored, because a typo in a TLS policy would otherwise downgrade security without anyone
 * noticing. Every message names the file, the element path, the offending value and what is
 * allowed.
 *
 * <p>Uses the JDK's built-in DOM parser with DOCTYPEs forbidden, so no DTD or external entity is
 * ever loaded (XXE-safe). Stateless and thread-safe.
 */
public final class TlsPolicyParser {
    private static final String ROOT = "tlsPolicy";
    private static final String GROUP = "bindingGroup";
    private static final String BINDING = "binding";
    private static final String DOMAIN = "domain";
    private static final String NAME = "name";
    private static final String BIND_ADDRESS = "bindAddress";
    private static final String HELO_NAME = "heloName";

    private static final List<String> OPTIONS =
        PolicyOption.ALL.stream().map(PolicyOption::elementName).collect(Collectors.toUnmodifiableList());

    /** Where each structural element may appear, for "misplaced element" messages. */
    private static final Map<String, String> PLACEMENT = Map.of(
        ROOT, "<tlsPolicy> may appear only as the root element",
        GROUP, "<bindingGroup> may appear only directly inside <tlsPolicy>",
        BINDING, "<binding> may appear only directly inside <tlsPolicy> or <bindingGroup>",
        DOMAIN, "<domain> may appear only directly inside <tlsPolicy>, <bindingGroup> or <binding>");

    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?";
    private static final Pattern HELO =
        Pattern.compile(LABEL + "(\\." + LABEL + ")*\\.?|\\[(IPv6:)?[0-9A-Fa-f:.]+\\]");

    private TlsPolicyParser() {
    }

    /**
     * @param in the XML; not closed
     * @param sourceName how to name the file in error messages, e.g. its path
     */
    public static TlsPolicy parse(InputStream in, String sourceName) throws PolicyConfigurationException {
        Document document = read(in, sourceName);
        return new Run(sourceName).root(document.getDocumentElement());
    }

    private static Document read(InputStream in, String sourceName) throws PolicyConfigurationException {
        try {
            return newBuilder().parse(in);
        } catch (SAXParseException e) {
            String hint = e.getMessage() != null && e.getMessage().contains("DOCTYPE")
                ? "DOCTYPE declarations are not allowed (DTDs and external entities are disabled): "
                : "malformed XML: ";
            throw new PolicyConfigurationException(sourceName + ": line " + e.getLineNumber() + ", column "
                + e.getColumnNumber() + ": " + hint + e.getMessage(), e);
        } catch (SAXException e) {
            throw new PolicyConfigurationException(sourceName + ": malformed XML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new PolicyConfigurationException(sourceName + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static DocumentBuilder newBuilder() {
        try {
            // newDefaultInstance: the JDK's own parser, whose security features are known to exist,
            // even if an older Xerces is on James's classpath.
            DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                    // Warnings do not make the document unusable.
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("JDK XML parser lacks a required security feature", e);
        }
    }

    /** State of one parse: names seen so far, to report duplicates with both locations. */
    private static final class Run {
        private final String source;
        // Keyed by lower-cased name: names match case-sensitively, so case-only variants are rejected.
        private final Map<String, Seen> bindings = new HashMap<>();
        private final Map<String, Seen> groups = new HashMap<>();

        Run(String source) {
            this.source = source;
        }

        TlsPolicy root(Element root) throws PolicyConfigurationException {
            String path = "/" + root.getTagName();
            if (!root.getTagName().equals(ROOT)) {
                throw fail(path, "root element is <" + root.getTagName() + ">; expected <" + ROOT + ">");
            }
            checkAttributes(root, path, Set.of());
            List<Element> children = children(root, path, allowed(DOMAIN, GROUP, BINDING));
            List<BindingGroup> groupList = new ArrayList<>();
            List<Binding> standalone = new ArrayList<>();
            for (Element child : children) {
                if (child.getTagName().equals(GROUP)) {
                    groupList.add(group(child, childPath(path, child)));
                } else if (child.getTagName().equals(BINDING)) {
                    standalone.add(binding(child, childPath(path, child), Optional.empty()));
                }
            }
            return new TlsPolicy(options(children, path), domains(children, path), groupList, standalone);
        }

        private BindingGroup group(Element element, String path) throws PolicyConfigurationException {
            checkAttributes(element, path, Set.of(NAME));
            String name = name(element, path, "binding group");
            registerGroup(name, path);
            List<Element> children = children(element, path, allowed(DOMAIN, BINDING));
            List<Binding> members = new ArrayList<>();
            for (Element child : children) {
                if (child.getTagName().equals(BINDING)) {
                    members.add(binding(child, childPath(path, child), Optional.of(name)));
                }
            }
            ScopeOptions options = options(children, path);
            Map<String, ScopeOptions> domains = domains(children, path);
            if (members.isEmpty()) {
                throw fail(path, "binding group '" + name + "' contains no <binding>; a group needs at least one"
                    + " binding to spread mail over");
            }
            return new BindingGroup(name, options, domains, members);
        }

        private Binding binding(Element element, String path, Optional<String> group)
            throws PolicyConfigurationException {
            checkAttributes(element, path, Set.of(NAME, BIND_ADDRESS, HELO_NAME));
            String name = name(element, path, "binding");
            registerBinding(name, path, group);
            List<Element> children = children(element, path, allowed(DOMAIN));
            Binding.Builder builder = Binding.builder(name).options(options(children, path));
            group.ifPresent(builder::groupName);
            if (element.hasAttribute(BIND_ADDRESS)) {
                builder.bindAddress(ipLiteral(element.getAttribute(BIND_ADDRESS), path + "/@" + BIND_ADDRESS));
            }
            if (element.hasAttribute(HELO_NAME)) {
                builder.heloName(heloName(element.getAttribute(HELO_NAME), path + "/@" + HELO_NAME));
            }
            domains(children, path).forEach(builder::domain);
            return builder.build();
        }

        /** The domain stanzas among a scope's children, keyed by normalised name. */
        private Map<String, ScopeOptions> domains(List<Element> siblings, String scopePath)
            throws PolicyConfigurationException {
            Map<String, ScopeOptions> result = new LinkedHashMap<>();
            Map<String, String> rawNames = new HashMap<>();
            for (Element element : siblings) {
                if (!element.getTagName().equals(DOMAIN)) {
                    continue;
                }
                String path = childPath(scopePath, element);
                checkAttributes(element, path, Set.of(NAME));
                String raw = name(element, path, "domain");
                String domain = DomainNames.normalize(aLabels(raw, path));
                if (domain.isEmpty() || !domain.chars().noneMatch(Character::isWhitespace)) {
                    throw fail(path + "/@" + NAME, "invalid domain name '" + raw + "'; allowed: a domain name such as"
                        + " example.com (case-insensitive, trailing dot optional)");
                }
                String previous = rawNames.putIfAbsent(domain, raw);
                if (previous != null) {
                    throw fail(path, "domain '" + raw + "' is configured twice in " + scopePath + " (first as '"
                        + previous + "'); domain names are case-insensitive and each may appear once per scope");
                }
                result.put(domain, options(children(element, path, allowed()), path));
            }
            return result;
        }

        /**
         * {@code bücher.example} as {@code xn--bcher-kva.example}: recipient domains arrive as A-labels (James's SMTP
         * intake has no SMTPUTF8), and MX lookups use A-labels, so a U-label stanza would never match otherwise.
         */
        private String aLabels(String raw, String path) throws PolicyConfigurationException {
            try {
                return IDN.toASCII(raw.trim(), IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                throw fail(path + "/@" + NAME, "invalid internationalised domain name '" + raw + "' (" + e.getMessage()
                    + "); allowed: a domain name such as example.com or bücher.example");
            }
        }

        /** The option elements among a scope's children; each option at most once. */
        private ScopeOptions options(List<Element> siblings, String scopePath) throws PolicyConfigurationException {
            ScopeOptions.Builder builder = ScopeOptions.builder();
            Map<String, String> seen = new HashMap<>();
            for (Element element : siblings) {
                Optional<PolicyOption<?>> option = PolicyOption.byElementName(element.getTagName());
                if (option.isPresent()) {
                    String path = childPath(scopePath, element);
                    checkAttributes(element, path, Set.of());
                    String value = text(element, path);
                    String previous = seen.putIfAbsent(element.getTagName(), value);
                    if (previous != null) {
                        throw fail(path, "<" + element.getTagName() + "> is set more than once in " + scopePath
                            + " (values '" + previous + "' and '" + value + "'); set it at most once per scope");
                    }
                    set(builder, option.get(), value, path);
                }
            }
            return builder.build();
        }

        private <T> void set(ScopeOptions.Builder builder, PolicyOption<T> option, String value, String path)
            throws PolicyConfigurationException {
            T parsed = option.parse(value).orElseThrow(() -> fail(path, "invalid value '" + value + "' for <"
                + option.elementName() + ">; allowed values: " + option.allowedValues()));
            builder.set(option, parsed);
        }

        /**
         * The element children of a container, rejecting unknown or misplaced elements and stray
         * text. Comments and whitespace are ignored.
         */
        private List<Element> children(Element parent, String path, List<String> allowed)
            throws PolicyConfigurationException {
            List<Element> result = new ArrayList<>();
            NodeList nodes = parent.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) {
                Node node = nodes.item(i);
                if (node.getNodeType() == Node.ELEMENT_NODE) {
                    Element element = (Element) node;
                    String tag = element.getTagName();
                    if (!allowed.contains(tag)) {
                        String where = "; allowed inside <" + parent.getTagName() + ">: " + String.join(", ", allowed);
                        throw fail(childPath(path, element), PLACEMENT.containsKey(tag)
                            ? "element <" + tag + "> is not allowed here: " + PLACEMENT.get(tag) + where
                            : "unknown element <" + tag + ">" + where);
                    }
                    result.add(element);
                } else if (isText(node) && !node.getNodeValue().isBlank()) {
                    throw fail(path, "unexpected text '" + node.getNodeValue().trim() + "' inside <"
                        + parent.getTagName() + ">; only the elements " + String.join(", ", allowed) + " are allowed");
                }
            }
            return result;
        }

        /** The text of an option element, which must not contain elements. */
        private String text(Element element, String path) throws PolicyConfigurationException {
            StringBuilder text = new StringBuilder();
            NodeList nodes = element.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) {
                Node node = nodes.item(i);
                if (node.getNodeType() == Node.ELEMENT_NODE) {
                    throw fail(childPath(path, (Element) node), "unknown element <" + ((Element) node).getTagName()
                        + ">; <" + element.getTagName() + "> contains only a value");
                }
                if (isText(node)) {
                    text.append(node.getNodeValue());
                }
            }
            return text.toString().trim();
        }

        private void checkAttributes(Element element, String path, Set<String> allowed)
            throws PolicyConfigurationException {
            NamedNodeMap attributes = element.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                Attr attribute = (Attr) attributes.item(i);
                if (!allowed.contains(attribute.getName())) {
                    throw fail(path + "/@" + attribute.getName(), "unknown attribute '" + attribute.getName()
                        + "' (value '" + attribute.getValue() + "') on <" + element.getTagName() + ">; "
                        + (allowed.isEmpty() ? "no attributes are allowed"
                            : "allowed attributes: " + allowed.stream().sorted().collect(Collectors.joining(", "))));
                }
            }
        }

        private String name(Element element, String path, String what) throws PolicyConfigurationException {
            if (!element.hasAttribute(NAME)) {
                throw fail(path, what + " without a name attribute; allowed: a non-blank name=\"...\"");
            }
            String name = element.getAttribute(NAME).trim();
            if (name.isEmpty()) {
                throw fail(path + "/@" + NAME, what + " with a blank name '" + element.getAttribute(NAME)
                    + "'; allowed: a non-blank name");
            }
            return name;
        }

        private void registerBinding(String name, String path, Optional<String> group)
            throws PolicyConfigurationException {
            String key = name.toLowerCase(Locale.ROOT);
            Seen clash = groups.get(key);
            if (clash != null) {
                throw fail(path, ambiguous(name, clash));
            }
            Seen previous = bindings.putIfAbsent(key, new Seen(name, path, group));
            if (previous == null) {
                return;
            }
            if (!previous.name.equals(name)) {
                throw fail(path, caseOnly("binding", name, previous));
            }
            if (group.isPresent() && previous.group.isPresent() && !group.equals(previous.group)) {
                throw fail(path, "binding '" + name + "' is in binding group '" + previous.group.get() + "' ("
                    + previous.path + ") and in binding group '" + group.get()
                    + "'; a binding may belong to at most one group");
            }
            throw fail(path, "duplicate binding name '" + name + "', already defined at " + previous.path
                + "; allowed: binding names unique in the whole file");
        }

        private void registerGroup(String name, String path) throws PolicyConfigurationException {
            String key = name.toLowerCase(Locale.ROOT);
            Seen clash = bindings.get(key);
            if (clash != null) {
                throw fail(path, ambiguous(name, clash));
            }
            Seen previous = groups.putIfAbsent(key, new Seen(name, path, Optional.empty()));
            if (previous != null) {
                throw fail(path, previous.name.equals(name)
                    ? "duplicate binding group name '" + name + "', already defined at " + previous.path
                        + "; allowed: binding group names unique in the whole file"
                    : caseOnly("binding group", name, previous));
            }
        }

        private String ambiguous(String name, Seen other) {
            return "name '" + name + "' is used by both a binding and a binding group (other one at " + other.path
                + "); allowed: distinct names, because a mail selects a binding or a group by name";
        }

        private String caseOnly(String what, String name, Seen previous) {
            return what + " name '" + name + "' differs only in case from '" + previous.name + "' at "
                + previous.path + "; names are matched case-sensitively, so names differing only in case are"
                + " not allowed";
        }

        private InetAddress ipLiteral(String raw, String path) throws PolicyConfigurationException {
            return IpLiterals.parse(raw).orElseThrow(() -> fail(path, "invalid bindAddress '" + raw + "'; allowed: an"
                + " IPv4 literal (192.0.2.10) or an IPv6 literal (2001:db8::10); host names are not resolved"));
        }

        private String heloName(String raw, String path) throws PolicyConfigurationException {
            String value = raw.trim();
            if (!HELO.matcher(value).matches()) {
                throw fail(path, "invalid heloName '" + raw + "'; allowed: a host name such as mta1.example.org or"
                    + " an address literal such as [192.0.2.10]");
            }
            return value;
        }

        private PolicyConfigurationException fail(String path, String problem) {
            return new PolicyConfigurationException(source + ": " + path + ": " + problem);
        }
    }

    private static List<String> allowed(String... structural) {
        return Stream.concat(OPTIONS.stream(), Stream.of(structural)).collect(Collectors.toUnmodifiableList());
    }

    private static boolean isText(Node node) {
        return node.getNodeType() == Node.TEXT_NODE || node.getNodeType() == Node.CDATA_SECTION_NODE;
    }

    /**
     * XPath-like step for {@code element}: {@code binding[@name='tx1']} when it has a name, else
     * {@code tls[2]} when it has same-named siblings, else just the tag.
     */
    private static String childPath(String parentPath, Element element) {
        String tag = element.getTagName();
        if (element.hasAttribute(NAME) && !element.getAttribute(NAME).isBlank()) {
            return parentPath + "/" + tag + "[@name='" + element.getAttribute(NAME) + "']";
        }
        int position = 0;
        int count = 0;
        for (Node node = element.getParentNode().getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node.getNodeType() == Node.ELEMENT_NODE && ((Element) node).getTagName().equals(tag)) {
                count++;
                if (node == element) {
                    position = count;
                }
            }
        }
        return parentPath + "/" + tag + (count > 1 ? "[" + position + "]" : "");
    }

    /** A name already registered, with where it was seen. */
    private static final class Seen {
        final String name;
        final String path;
        final Optional<String> group;

        Seen(String name, String path, Optional<String> group) {
            this.name = name;
            this.path = path;
            this.group = group;
        }
    }
}
