package org.mptcp4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** Errno's names and texts: the C library's for Linux, without the native library. */
class ErrnoTest {
    @Test
    void eachConstantIsNamedAfterItsValue() throws IllegalAccessException {
        int constants = 0;
        for (Field field : Errno.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                assertEquals(field.getName(), Errno.name(field.getInt(null)));
                constants++;
            }
        }
        assertEquals(25, constants);
    }

    @Test
    void namesAndTextsAreTheCLibrarys() {
        assertEquals("EINVAL", Errno.name(22));
        assertEquals("Invalid argument", Errno.text(22));
        assertEquals("ENOTCONN", Errno.name(Errno.ENOTCONN));
        assertEquals("Transport endpoint is not connected", Errno.text(Errno.ENOTCONN));
        assertEquals("EHWPOISON", Errno.name(133));
        assertEquals("Memory page has hardware error", Errno.text(133));
    }

    @Test
    void valuesWithoutANameAreNumbered() {
        for (int errno : new int[] {0, -1, 41, 58, 134, 524}) {
            assertEquals("errno " + errno, Errno.name(errno));
            assertEquals("Unknown error " + errno, Errno.text(errno));
        }
    }
}
