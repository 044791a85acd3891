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
 * {@code MemoryJamesServerMain} of James 3.8.1 with the distributed app's RabbitMQ mail queue
 * ({@link RabbitMQMailQueueModule}) and a blob store shared by the nodes ({@link SharedDirectoryBlobStoreModule}) in
 * place of the in-memory ones: several such processes on one RabbitMQ and one blob directory form a cluster whose
 * spool and outgoing queues are shared. A test vehicle for the multi-node tests and it-tests/scripts/cluster.sh.
 */
public final class RabbitMQMemoryJamesServerMain implements JamesServerMain {

    private RabbitMQMemoryJamesServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ExtraProperties.initialize();

        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .build();

        LOGGER.info("Loading configuration {} (mail queue: RabbitMQ; blob store: shared directory {})", configuration,
            SharedDirectoryBlobStoreModule.directory());
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .combineWith(new FakeSearchMailboxModule(), new JMXServerModule())
            .overrideWith(new RabbitMQMailQueueModule(), new SharedDirectoryBlobStoreModule())
            .overrideWith(new RunArgumentsModule(args));

        JamesServerMain.main(server);
    }
}
