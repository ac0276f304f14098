package org.mptcp4j.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the mptcp4j daemon: one structured line per record on standard error,
 * in logfmt ({@code time=... level=info logger=ControllerHost netns=blue msg="..." token=1c0ffee5})
 * or JSON, or one datagram per record to the journal or syslog ({@link LogSettings.Destination}),
 * with the settings changeable while running (a reload may change them).
 *
 * <p>Chosen explicitly with {@code -Dslf4j.provider=org.mptcp4j.logging.LogfmtServiceProvider}
 * (the daemon sets it when nothing else was asked for); it is never registered as a service,
 * so an application using the library keeps its own binding.
 */
public final class LogfmtServiceProvider implements SLF4JServiceProvider {
    private final BasicMarkerFactory markers = new BasicMarkerFactory();
    private final BasicMDCAdapter mdc = new BasicMDCAdapter();
    private final LogfmtLoggerFactory loggers = new LogfmtLoggerFactory();

    /** For SLF4J, which instantiates the provider by its name. */
    public LogfmtServiceProvider() {}

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up: the settings are read per record from LogSettings
    }
}
