package org.jamestls.mailet;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetContext;

/** Mailet parameters as a map, as mailetcontainer.xml would give them. */
public final class MapMailetConfig implements MailetConfig {
    private final Map<String, String> parameters = new LinkedHashMap<>();

    public MapMailetConfig with(String name, String value) {
        parameters.put(name, value);
        return this;
    }

    @Override
    public String getInitParameter(String name) {
        return parameters.get(name);
    }

    @Override
    public Iterator<String> getInitParameterNames() {
        return parameters.keySet().iterator();
    }

    @Override
    public MailetContext getMailetContext() {
        return null;
    }

    @Override
    public String getMailetName() {
        return "TlsRemoteDelivery";
    }
}
