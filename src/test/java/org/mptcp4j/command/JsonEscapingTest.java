package org.mptcp4j.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.testing.Json;

/** Strings in JSON output as RFC 8259 has them: whatever they hold, a strict reader gets them back. */
class JsonEscapingTest {
    @Test
    void everyCharacterReadsBackAndNoControlCharacterIsLeftRaw() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x100; c++) {
            all.append(c);
        }
        all.append("\u2028\u00e9\ud83d\ude00\ufffd");
        String json = EventFormat.jsonString(all.toString());
        assertFalse(json.chars().anyMatch(c -> c < 0x20), json);
        assertEquals(all.toString(), Json.parse(json));
        assertEquals("\"a\\\"b\\\\c\\u0001\\n\"", EventFormat.jsonString("a\"b\\c\u0001\n"));
    }

    @Test
    void anEndpointIsAnObjectOfValidJson() {
        MptcpAddress endpoint = MptcpAddress.of(MptcpAddress.literal("fd00::1"), 8080).id(3)
                .flags(MptcpAddress.FLAG_SIGNAL | MptcpAddress.FLAG_BACKUP | 0x100);
        Map<?, ?> object = (Map<?, ?>) Json.parse(Formats.json(endpoint, null));
        assertEquals(Map.of("address", "fd00::1", "id", new BigDecimal(3), "port", new BigDecimal(8080), "flags", List.of("signal", "backup", "0x100")),
                object);
    }
}
