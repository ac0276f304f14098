package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenMapTest {
    @Test
    void behavesAsAHashMapUnderRandomUse() {
        Random random = new Random(1);
        TokenMap<Integer> map = new TokenMap<>();
        Map<Integer, Integer> reference = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // Few distinct keys, many collisions: every probe and removal path is taken.
            int token = random.nextInt(300) * 0x10000;
            switch (random.nextInt(3)) {
                case 0 -> {
                    map.put(token, i);
                    reference.put(token, i);
                }
                case 1 -> assertEquals(reference.remove(token), map.remove(token));
                default -> assertEquals(reference.get(token), map.get(token));
            }
            assertEquals(reference.isEmpty(), map.isEmpty());
        }
        for (Map.Entry<Integer, Integer> e : reference.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey()));
        }
    }
}
