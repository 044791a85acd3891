package org.jamestls.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.mail.MessagingException;

import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** James's own conf files, read through James's FileSystem over a James home directory. */
class JamesConfTest {
    @TempDir
    Path home;

    private JamesConf conf() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        return new JamesConf(new FileSystemImpl(new JamesServerResourceLoader(home.toString())));
    }

    @Test
    void authorizedAddressesOfEveryEnabledListenerAreReadAsJamesSplitsThem() throws Exception {
        JamesConf conf = conf();
        Files.writeString(home.resolve("conf/smtpserver.xml"), "<smtpservers>"
            + "<smtpserver enabled='true'><bind>0.0.0.0:25</bind><authorizedAddresses>127.0.0.0/8, 192.0.2.0/24"
            + "</authorizedAddresses></smtpserver>"
            + "<smtpserver><bind>0.0.0.0:587</bind><authorizedAddresses>10.1.*  relay.ops.test</authorizedAddresses>"
            + "</smtpserver>"
            + "<smtpserver enabled='false'><authorizedAddresses>0.0.0.0/0</authorizedAddresses></smtpserver>"
            + "</smtpservers>");

        assertThat(conf.authorizedAddresses()).containsExactly("127.0.0.0/8", "192.0.2.0/24", "10.1.*", "relay.ops.test");
    }

    @Test
    void noFileOrNoElementMeansNoAuthorizedAddresses() throws Exception {
        JamesConf conf = conf();
        assertThat(conf.authorizedAddresses()).isEmpty();

        Files.writeString(home.resolve("conf/smtpserver.xml"), "<smtpservers><smtpserver/></smtpservers>");
        assertThat(conf.authorizedAddresses()).isEmpty();
    }

    @Test
    void aMalformedFileStopsStartUpNamingIt() throws Exception {
        JamesConf conf = conf();
        Files.writeString(home.resolve("conf/smtpserver.xml"), "<smtpservers><smtpserver>");

        assertThatThrownBy(conf::authorizedAddresses).isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("Cannot read James's file://conf/smtpserver.xml: ");
    }

    @Test
    void firstDnsServer() throws Exception {
        JamesConf conf = conf();
        assertThat(conf.firstDnsServer()).isEmpty();

        Files.writeString(home.resolve("conf/dnsservice.xml"),
            "<dnsservice><servers><server> 127.0.0.2 </server><server>127.0.0.3</server></servers></dnsservice>");
        assertThat(conf.firstDnsServer()).contains("127.0.0.2");
    }
}
