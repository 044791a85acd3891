package org.jamestls.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.jamestls.policy.BindingSelection.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class BindingSelectorTest {
    private static final String POLICY = "<tlsPolicy>"
        + "<bindingGroup name='pool'><binding name='p1'/><binding name='p2'/><binding name='p3'/></bindingGroup>"
        + "<binding name='solo'/>"
        + "</tlsPolicy>";

    private static BindingSelector selector() throws PolicyConfigurationException {
        return new BindingSelector(PolicyFixtures.parse(POLICY));
    }

    @ParameterizedTest
    @CsvSource({"solo, solo", "p2, p2"})
    void selectsABindingByName(String name, String expected) throws Exception {
        BindingSelection selection = selector().select(name);

        assertThat(selection.outcome()).isEqualTo(Outcome.SELECTED);
        assertThat(selection.binding().map(Binding::name)).contains(expected);
        assertThat(selection.requestedName()).contains(name);
    }

    @Test
    void groupHandsOutItsBindingsRoundRobin() throws Exception {
        BindingSelector selector = selector();

        List<String> picked = IntStream.range(0, 7)
            .mapToObj(i -> selector.select("pool").binding().orElseThrow().name())
            .collect(Collectors.toList());

        assertThat(picked).containsExactly("p1", "p2", "p3", "p1", "p2", "p3", "p1");
    }

    @Test
    void roundRobinIsEvenUnderConcurrency() throws Exception {
        BindingSelector selector = selector();
        List<String> picked = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 3000; i++) {
            pool.execute(() -> picked.add(selector.select("pool").binding().orElseThrow().name()));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        Map<String, Long> counts = picked.stream().collect(Collectors.groupingBy(Function.identity(),
            Collectors.counting()));
        assertThat(counts).containsOnly(Map.entry("p1", 1000L), Map.entry("p2", 1000L), Map.entry("p3", 1000L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope", "SOLO", "Pool", " solo"})
    void unknownNamesAreReportedCaseSensitively(String name) throws Exception {
        BindingSelection selection = selector().select(name);

        assertThat(selection.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(selection.binding()).isEmpty();
        assertThat(selection.requestedName()).contains(name);
        assertThat(selection).hasToString("UNKNOWN(" + name + ")");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "\t"})
    void noNameMeansNoBinding(String name) throws Exception {
        BindingSelection selection = selector().select(name);

        assertThat(selection.outcome()).isEqualTo(Outcome.NONE);
        assertThat(selection.binding()).isEmpty();
        assertThat(selection.requestedName()).isEmpty();
    }

    @Test
    void emptyPolicyKnowsNoNames() {
        assertThat(new BindingSelector(TlsPolicy.empty()).select("x").outcome()).isEqualTo(Outcome.UNKNOWN);
    }
}
