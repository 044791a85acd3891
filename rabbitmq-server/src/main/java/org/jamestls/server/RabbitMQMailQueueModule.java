package org.jamestls.server;

import java.io.FileNotFoundException;
import java.util.Set;

import javax.inject.Named;
import javax.inject.Provider;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.rabbitmq.RabbitMQConfiguration;
import org.apache.james.backends.rabbitmq.RabbitMQHealthCheck;
import org.apache.james.backends.rabbitmq.ReactorRabbitMQChannelPool;
import org.apache.james.backends.rabbitmq.ReceiverProvider;
import org.apache.james.backends.rabbitmq.SimpleConnectionPool;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.mailetcontainer.impl.JamesMailSpooler;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.rabbitmq.RabbitMQMailQueue;
import org.apache.james.queue.rabbitmq.RabbitMQMailQueueDeadLetterQueueHealthCheck;
import org.apache.james.queue.rabbitmq.RabbitMQMailQueueFactory;
import org.apache.james.queue.rabbitmq.view.RabbitMQMailQueueConfiguration;
import org.apache.james.queue.rabbitmq.view.api.FakeMailQueueView;
import org.apache.james.queue.rabbitmq.view.api.MailQueueView;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import reactor.core.publisher.Mono;
import reactor.rabbitmq.RabbitFlux;
import reactor.rabbitmq.ReceiverOptions;

/**
 * The distributed app's mail queue, bound as James 3.8.1's {@code RabbitMQModule} and {@code FakeMailQueueViewModule}
 * (artifact queue-rabbitmq-guice, not on Maven Central) bind it: a {@link RabbitMQMailQueueFactory} for the spool and
 * every other queue, against the broker of {@code conf/rabbitmq.properties} ({@code uri}, {@code management.uri},
 * {@code management.user}, {@code management.password}: the factory lists queues through the management API).
 * The queue view is {@link FakeMailQueueView} (no Cassandra): WebAdmin cannot browse the queue and its size is 0.
 */
public class RabbitMQMailQueueModule extends AbstractModule {
    private static final String FILENAME = "rabbitmq";

    @Override
    protected void configure() {
        bind(SimpleConnectionPool.class).in(Scopes.SINGLETON);
        bind(RabbitMQMailQueueFactory.class).in(Scopes.SINGLETON);
        bind(MailQueueView.Factory.class).toInstance(new FakeMailQueueView.Factory());

        Multibinder<HealthCheck> healthChecks = Multibinder.newSetBinder(binder(), HealthCheck.class);
        healthChecks.addBinding().to(RabbitMQHealthCheck.class);
        healthChecks.addBinding().to(RabbitMQMailQueueDeadLetterQueueHealthCheck.class);

        // as James's SpoolerReconnectionHandler: the spooler's consumer dies with a lost connection
        Multibinder.newSetBinder(binder(), SimpleConnectionPool.ReconnectionHandler.class).addBinding()
            .to(SpoolerRestart.class);
    }

    /** Restarts James's spooler once the connection to RabbitMQ is back. */
    static class SpoolerRestart implements SimpleConnectionPool.ReconnectionHandler {
        private final JamesMailSpooler spooler;

        @javax.inject.Inject
        SpoolerRestart(JamesMailSpooler spooler) {
            this.spooler = spooler;
        }

        @Override
        public org.reactivestreams.Publisher<Void> handleReconnection(com.rabbitmq.client.Connection connection) {
            return Mono.fromRunnable(spooler::restart);
        }
    }

    @Provides
    @Singleton
    MailQueueFactory<RabbitMQMailQueue> rabbitMqFactory(RabbitMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableFactory(MailQueueFactory<RabbitMQMailQueue> factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> anyFactory(MailQueueFactory<RabbitMQMailQueue> factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> genericFactory(MailQueueFactory<RabbitMQMailQueue> factory) {
        return factory;
    }

    @ProvidesIntoSet
    InitializationOperation connectionPool(SimpleConnectionPool pool,
                                           Set<SimpleConnectionPool.ReconnectionHandler> reconnectionHandlers) {
        return InitilizationOperationBuilder
            .forClass(SimpleConnectionPool.class)
            .init(() -> pool.init(reconnectionHandlers));
    }

    @Provides
    @Named(FILENAME)
    @Singleton
    Configuration rabbitMqProperties(PropertiesProvider propertiesProvider) throws ConfigurationException {
        try {
            return propertiesProvider.getConfiguration(FILENAME);
        } catch (FileNotFoundException e) {
            throw new ConfigurationException("conf/" + FILENAME + ".properties is required (uri, management.uri, "
                + "management.user, management.password)", e);
        }
    }

    @Provides
    @Singleton
    RabbitMQConfiguration rabbitMqConfiguration(@Named(FILENAME) Configuration configuration) {
        return RabbitMQConfiguration.from(configuration);
    }

    @Provides
    @Singleton
    RabbitMQMailQueueConfiguration mailQueueConfiguration(@Named(FILENAME) Configuration configuration) {
        return RabbitMQMailQueueConfiguration.from(configuration);
    }

    @Provides
    @Singleton
    ReactorRabbitMQChannelPool channelPool(SimpleConnectionPool connectionPool,
                                           ReactorRabbitMQChannelPool.Configuration configuration,
                                           MetricFactory metricFactory) {
        ReactorRabbitMQChannelPool channelPool = new ReactorRabbitMQChannelPool(
            connectionPool.getResilientConnection(), configuration, metricFactory);
        channelPool.start();
        return channelPool;
    }

    @Provides
    @Singleton
    reactor.rabbitmq.Sender sender(ReactorRabbitMQChannelPool channelPool) {
        return channelPool.getSender();
    }

    @Provides
    @Singleton
    ReceiverProvider receiverProvider(SimpleConnectionPool connectionPool) {
        return () -> RabbitFlux.createReceiver(new ReceiverOptions()
            .connectionMono(connectionPool.getResilientConnection()));
    }

    @Provides
    @Singleton
    SimpleConnectionPool.Configuration connectionPoolConfiguration(@Named(FILENAME) Provider<Configuration> configuration) {
        return SimpleConnectionPool.Configuration.from(configuration.get());
    }

    @Provides
    @Singleton
    ReactorRabbitMQChannelPool.Configuration channelPoolConfiguration(@Named(FILENAME) Provider<Configuration> configuration) {
        return ReactorRabbitMQChannelPool.Configuration.from(configuration.get());
    }
}
