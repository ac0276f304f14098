package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.testing.KernelTest;

/** Pipelined commands: every answer reaches the request it answers. */
@KernelTest
class AsyncPathManagerKernelTest {
    private static final int ENDPOINTS = 8;

    @Test
    void tenThousandPipelinedCommandsEachGetTheirOwnAnswer() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); AsyncPathManager pm = AsyncPathManager.open(t.client())) {
            for (int id = 1; id <= ENDPOINTS; id++) {
                pm.addEndpoint(MptcpAddress.parse("10.77.0." + id, 0).id(id).flags(MptcpAddress.FLAG_SIGNAL))
                        .get(5, TimeUnit.SECONDS);
            }
            // Ids 1..8 exist, 9..16 do not: answers and refusals interleave, and each must match.
            List<CompletableFuture<MptcpAddress>> gets = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                gets.add(pm.endpoint(1 + i % (2 * ENDPOINTS)));
            }
            CompletableFuture<List<MptcpAddress>> dump = pm.endpoints();
            CompletableFuture<Limits> limits = pm.limits();
            CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).handle((ok, e) -> null).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < gets.size(); i++) {
                int id = 1 + i % (2 * ENDPOINTS);
                CompletableFuture<MptcpAddress> get = gets.get(i);
                if (id <= ENDPOINTS) {
                    MptcpAddress a = get.join();
                    assertEquals(id, a.id(), "request " + i);
                    assertTrue(a.sameAddress(MptcpAddress.parse("10.77.0." + id, 0)), "request " + i + ": " + a);
                } else {
                    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, get::join);
                    PathManagerException refused = assertInstanceOf(PathManagerException.class, e.getCause());
                    assertEquals("address not found", refused.extack(), "request " + i);
                }
            }
            assertEquals(ENDPOINTS, dump.get(5, TimeUnit.SECONDS).size(), "the dump is read to its end");
            assertEquals(new Limits(0, 2), limits.get(5, TimeUnit.SECONDS));
        }
    }

    /** The kernel runs one dump per socket at a time: several submitted at once all complete, in full. */
    @Test
    void dumpsSubmittedTogetherAreTakenOneAfterTheOther() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); AsyncPathManager pm = AsyncPathManager.open(t.client())) {
            for (int id = 1; id <= 3; id++) {
                pm.addEndpoint(MptcpAddress.parse("10.78.0." + id, 0).id(id).flags(MptcpAddress.FLAG_SIGNAL));
            }
            List<CompletableFuture<List<MptcpAddress>>> dumps = new ArrayList<>();
            List<CompletableFuture<MptcpAddress>> gets = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                dumps.add(pm.endpoints());
                gets.add(pm.endpoint(1 + i % 3));
            }
            for (int i = 0; i < dumps.size(); i++) {
                assertEquals(List.of(1, 2, 3), dumps.get(i).get(10, TimeUnit.SECONDS).stream().map(MptcpAddress::id).toList(),
                        "dump " + i);
                assertEquals(1 + i % 3, gets.get(i).get(10, TimeUnit.SECONDS).id());
            }
        }
    }

    @Test
    void closingFailsWhatComesAfterAndFinishesWhatCameBefore() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            AsyncPathManager pm = AsyncPathManager.open(t.client());
            CompletableFuture<Limits> before = pm.limits();
            pm.close();
            assertEquals(new Limits(0, 2), before.get(5, TimeUnit.SECONDS));
            CompletionException after = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    () -> pm.limits().join());
            assertInstanceOf(IllegalStateException.class, after.getCause());
        }
    }
}
