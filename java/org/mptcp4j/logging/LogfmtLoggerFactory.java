package org.mptcp4j.logging;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One logger per name, kept. */
final class LogfmtLoggerFactory implements ILoggerFactory {
    private final ConcurrentHashMap<String, LogfmtLogger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, LogfmtLogger::new);
    }
}
