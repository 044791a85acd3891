package org.jamestls.server;

import org.apache.james.ExtraProperties;
import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.modules.server.JMXServerModule;

/**
 * {@code MemoryJamesServerMain} of James 3.8.1, with the persistent ActiveMQ mail queue of the JPA app
 * ({@link ActiveMQMailQueueModule}) in place of the in-memory one. Same configuration files as the memory server;
 * the queue lives in {@code var/store/activemq} under the working directory. A test vehicle for restart tests.
 */
public final class ActiveMQMemoryJamesServerMain implements JamesServerMain {

    private ActiveMQMemoryJamesServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ExtraProperties.initialize();

        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .build();

        LOGGER.info("Loading configuration {} (mail queue: embedded ActiveMQ with KahaDB)", configuration);
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .combineWith(new FakeSearchMailboxModule(), new JMXServerModule())
            .overrideWith(new ActiveMQMailQueueModule())
            .overrideWith(new RunArgumentsModule(args));

        JamesServerMain.main(server);
    }
}
