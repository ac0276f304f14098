package org.mptcp4j.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers the protocol can carry, and how they are written and read. */
class ControlResponseTest {
    @Test
    void answersThatCannotBeFramedAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ControlResponse.ok(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> ControlResponse.ok(List.of("a\nb")));
        assertThrows(IllegalArgumentException.class, () -> ControlResponse.ok(List.of("a\r")));
        assertThrows(IllegalArgumentException.class, () -> new ControlResponse(true, 22, "", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ControlResponse(false, 0, "two\nlines", List.of()));
        assertThrows(IllegalArgumentException.class, () -> ControlResponse.error(-1, "negative"));
    }

    @Test
    void errorTextIsOneLine() {
        assertEquals("first second", ControlResponse.error(0, "first\r\nsecond").text());
    }

    @Test
    void writtenAnswersReadBack() throws IOException {
        List<ControlResponse> answers = List.of(ControlResponse.ok(List.of("a", "b c")), ControlResponse.ok(List.of()),
                ControlResponse.error(19, "No such device (ENODEV)"), ControlResponse.error(0, ""));
        StringBuilder wire = new StringBuilder();
        answers.forEach(a -> wire.append(a.encode()));
        assertEquals("ok\na\nb c\n\nok\n\nerror 19 No such device (ENODEV)\n\nerror 0\n\n", wire.toString());
        BufferedReader in = new BufferedReader(new StringReader(wire.toString()));
        for (ControlResponse answer : answers) {
            assertEquals(answer, ControlResponse.read(in));
        }
        assertNull(ControlResponse.read(in));
    }

    @Test
    void malformedAnswersAreErrors() {
        assertThrows(IOException.class, () -> ControlResponse.read(new BufferedReader(new StringReader("maybe\n\n"))));
        assertThrows(IOException.class, () -> ControlResponse.read(new BufferedReader(new StringReader("error x text\n\n"))));
        assertThrows(IOException.class, () -> ControlResponse.read(new BufferedReader(new StringReader("ok\npayload\n"))));
    }
}
