package org.mptcp4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mptcp4j.daemon.DaemonConfig;
import org.mptcp4j.pm.ValueRange;

/**
 * The manual of every command, in man-page form (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, and
 * FILES, SIGNALS, EXIT STATUS, EXAMPLES where they help): what {@code mptcp4j help COMMAND} and
 * {@code mptcp4j COMMAND --help} print. A command-line mistake prints the SYNOPSIS as the
 * usage lines.
 */
final class Manuals {
    /** Body text is indented by this much under its section heading. */
    private static final int INDENT = 4;

    /** The page of {@code mptcp4j} itself: {@code mptcp4j help}, or no command at all. */
    static final String MPTCP4J = """
            NAME
                mptcp4j - a userspace path manager for Multipath TCP

            SYNOPSIS
                mptcp4j [-n NAME] [-j] COMMAND [OPTIONS]
                mptcp4j [-n NAME] [-j] [-force] -batch FILE
                mptcp4j -V
                mptcp4j help COMMAND

            DESCRIPTION
                Hears the kernel's MPTCP events of a network namespace (mptcp_pm generic netlink)
                and decides which subflows each connection gets, through controllers: Java classes
                that answer events with path-manager commands. Options are words in 'ip mptcp'
                style (id 2 token 1c0ffee5) or with dashes (--id 2 --token 1c0ffee5); every
                command takes -n NAME (--netns NAME) for a named network namespace, before the
                command as ip has it or after it.

            OPTIONS
                Before the command, as ip takes them: one dash or two, and any prefix that names
                one option (-n, -j, -V, -b); '--' ends them.
                -n, -netns NAME     the network namespace of the command (ip netns add NAME)
                -j, -json           JSON output from the commands that have it (endpoint show,
                                    limits show, addrs, connections, monitor, version, ctl
                                    connections and subflows; the others ignore it, as ip
                                    does): their --json. The fields of
                                    every JSON output: docs/json.md
                -V, -Version        the version, as 'mptcp4j version' prints it
                -b, -batch FILE     the commands of FILE, one a line (BATCH below)
                -force              with -batch: go on after a line that fails
                -h, -help           this page

            BATCH
                -batch FILE runs the commands of FILE in one process, one a line, as 'ip -batch'
                does ('-': standard input): a line holds the words that would follow 'mptcp4j' on
                the command line, split at blanks except between double quotes; '#' starts a
                comment; blank lines are skipped. A namespace's path manager is opened by the first
                line that uses it and kept for the next ones, so a line costs little more than the
                kernel's work. -n NAME before -batch is added to every line.
                A line that fails is reported on standard error as
                  mptcp4j: FILE:LINE: COMMAND: what went wrong
                and ends the batch with its exit status ('exists' answering no is not a failure);
                with -force the batch goes on and exits with the status of the first line that
                failed. run, monitor, record, demo, listen and
                'announce ... listen' last until interrupted: a batch refuses them.
                  mptcp4j -n blue -batch endpoints.txt
                  printf 'endpoint add 10.0.2.1 id 2 subflow\\nlimits set subflows 2\\n' | mptcp4j -batch -

            COMMANDS
                run               the daemon: manage the subflows of namespaces' connections with controllers
                ctl               query and command a running daemon over its control socket
                monitor           print every MPTCP event of a network namespace, one line each
                record            record a namespace's MPTCP events into a file, for the test kit to replay
                controllers       the controllers 'run' and policies can name, with their parameters
                path-manager      show or select the path manager (kernel or userspace) of a namespace
                connections       every MPTCP connection of a namespace with its subflows (sock_diag)
                top               a live view of a namespace's subflows: rates, RTT, backup, controller
                demo              two namespaced hosts, a real MPTCP transfer, mptcp4j opening its subflows
                version           the version of mptcp4j and the transport it runs on
                help              the manual of a command

              Userspace path manager, one connection (token as 'ss -M' and 'monitor' print it):
                announce          announce a local address to the peer (ADD_ADDR)
                remove            withdraw an announced address (RM_ADDR)
                subflow create    open a subflow
                subflow destroy   close a subflow
                set-backup        mark a subflow as backup or not (MP_PRIO)
                addrs             the connection's local addresses and ids
                listen            keep an MPTCP socket listening where peers may join
                exists            whether a token names a live connection

              Multipath-tcp.org v0.95 kernel only:
                event-filter      the event types its kernel sends at all (SET_FILTER)

              In-kernel path manager:
                endpoint add      add an endpoint
                endpoint delete   delete an endpoint
                endpoint show     list the endpoints
                endpoint flush    delete every endpoint
                endpoint change   change an endpoint's backup and fullmesh flags ('endpoint set' too)
                limits show       print the limits per connection
                limits set        set the limits per connection

            PRIVILEGES
                Linux 5.19 or later with MPTCP. Listening to MPTCP events and sending path-manager
                commands need CAP_NET_ADMIN in the namespace: root, or a user granted only that
                capability (the systemd unit does so). Working in another namespace than one's own
                (-n NAME) enters it with setns(), which needs CAP_SYS_ADMIN as well; started inside
                the namespace (ip netns exec NAME, systemd's NetworkNamespacePath=) CAP_NET_ADMIN is
                enough.

            ENVIRONMENT
                MPTCP4J_DEBUG      set: an unexpected failure also prints its stack trace
                MPTCP4J_CLASSPATH  for bin/mptcp4j: jars of one's own controllers (ControllerProvider)
                MPTCP4J_JAVA       for bin/mptcp4j: the java to run; default $JAVA_HOME/bin/java, else java

            EXIT STATUS
                0  done
                1  failed: one line with what was being done, the errno and what to do
                2  a command-line mistake: one line naming it, then the command's usage lines

            SEE ALSO
                ip-mptcp(8), ss(8), mptcpd(8)
            """;

    private static final String NETNS = "    -n, --netns NAME    the network namespace (ip netns add NAME); default: this one\n";
    private static final String TOKEN = "    token TOKEN         the connection, in hex as 'ss -M' and 'mptcp4j monitor' print it\n";

    /** The manuals of the commands other than the path manager's ({@link #PATH_MANAGER}). */
    private static final Map<String, String> COMMANDS = Map.ofEntries(
            Map.entry("ctl", ControlCommand.HELP),
            Map.entry("top", TopCommand.HELP),
            Map.entry("record", RecordCommand.HELP),
            Map.entry("help", """
                    NAME
                        mptcp4j help - the manual of a command

                    SYNOPSIS
                        mptcp4j help [COMMAND [SUBCOMMAND]]
                        mptcp4j COMMAND [SUBCOMMAND] --help

                    DESCRIPTION
                        Prints the manual of COMMAND; of every subcommand for a group (help endpoint);
                        without COMMAND, the list of commands.
                    """),
            Map.entry("monitor", """
                    NAME
                        mptcp4j monitor - print every MPTCP event of a network namespace, one line each

                    SYNOPSIS
                        mptcp4j monitor [--netns NAME] [--json | --ip-format] [--timestamp] [--count N] [--types T,...] [--busy-poll]
                                        [--decoding WHERE] [--dev IF,...] [--not-dev IF,...] [--loopback] [--link-local]

                    DESCRIPTION
                        Prints every MPTCP event of a network namespace as it happens, one line per
                        event with every attribute the kernel sent, like 'ip mptcp monitor', and the
                        namespace's local address and link changes (from rtnetlink):
                          [     ESTABLISHED] token=1c0ffee5 family=2 loc_id=0 rem_id=0 saddr4=... dport=5201
                          [LOCAL_ADDRESS_ADDED] family=2 saddr4=10.0.9.1 flags=0x80 if_idx=3 prefixlen=24 dev=eth1
                        It says on standard error when it listens; it runs until interrupted or --count.
                        With --ip-format it prints the lines 'ip mptcp monitor' (iproute2 7) prints, with
                        its words and in its order, and only the events ip hears (no local address or link
                        changes unless --types names them, and then not printed):
                          [  SF_ESTABLISHED] token=1c0ffee5 remid=0 locid=2 saddr4=10.0.2.1 daddr4=10.0.1.2 sport=40001 dport=5201 backup=0 ifindex=3 dev=eth1

                    OPTIONS
                        -n, --netns NAME   the namespace (ip netns add NAME); default: this one
                        --json             one JSON object per line instead (fields: docs/json.md)
                        --ip-format        ip mptcp monitor's lines instead
                        --timestamp        start each line with the time the event was received
                        --count N          exit after N events
                        --types T,...      only these event types, e.g. CREATED,SUB_CLOSED
                                           (the others are dropped before they reach Java)
                        --busy-poll        poll without sleeping (one core busy, lowest latency)
                        --decoding WHERE   java (the default) or native (libnl, JNI only)
                        --dev IF,...       local address and link changes of these interfaces only
                        --not-dev IF,...   never of these interfaces
                        --loopback         also loopback addresses (left out by default)
                        --link-local       also link-local addresses (left out by default)

                    PRIVILEGES
                        CAP_NET_ADMIN in the namespace, to join the kernel's event group.

                    EXAMPLES
                        mptcp4j monitor -n blue --types ESTABLISHED,SUB_ESTABLISHED,SUB_CLOSED
                        mptcp4j monitor --json --timestamp --count 100 > events.json
                    """),
            Map.entry("run", """
                    NAME
                        mptcp4j run - the path-manager daemon: manage the subflows of MPTCP connections with controllers

                    SYNOPSIS
                        mptcp4j run [--config FILE] [--netns NAME[,NAME|PATH...]]
                                    [--subflows N | --per-address | --controller NAME [PARAM=VALUE ...] | --policy FILE]
                                    [--idle STRATEGY] [--receive-buffer BYTES] [--decoding WHERE] [--verbose]
                                    [--print-discovered]
                                    [--loop-priority N|off] [--loop-cpu LIST|off] [--warm-up N]
                                    [--log-level LEVEL] [--log-format logfmt|json] [--metrics [HOST:]PORT|off]
                                    [--control-socket PATH|off] [--plugin-dir DIR] [--record FILE]

                    DESCRIPTION
                        Manages the MPTCP connections of one or more network namespaces until stopped,
                        each namespace with its own event loop thread. By default the controller is
                        ndiffports: when a connection this host opened is established, it opens
                          --subflows N     N more subflows over the same address pair, from different
                                           source ports (default 2, at most 8), or
                          --per-address    one more subflow from each other local address.
                        Or any controller by name with its parameters ('mptcp4j controllers' lists them):
                          --controller NAME [PARAM=VALUE ...]
                        Or a policy file: rules that pick each connection's controller by its addresses,
                        ports and side, one per line, the first match wins:
                          remote 10.1.0.0/16 port 443 side client -> fullmesh max-subflows=4
                          default -> ndiffports subflows=2

                        Settings come from the configuration file, and the options given override it.
                        The namespace must use the userspace path manager for its new connections
                        (mptcp4j path-manager userspace); connections of the in-kernel one are left alone.
                        At start, and whenever the kernel dropped events, every established connection
                        is found again (sock_diag) and logged as 'discovered'; those that lack their
                        subflows get them, so a restarted daemon manages what it never saw created.
                        Standard output carries only what an option asks for (--verbose,
                        --print-discovered): the log goes where the log setting says.
                        A managed namespace that disappears is dropped with a log line; the others go on.

                    OPTIONS
                        --config FILE               the configuration file; default /etc/mptcp4j/mptcp4j.conf when it exists
                        -n, --netns NAME[,NAME|PATH...]
                                                    the namespaces to manage: 'ip netns' names or paths such as
                                                    /proc/PID/ns/net; default: the file's [namespace] sections, else this one
                        --subflows N                ndiffports with N extra subflows per connection (1..8, default 2)
                        --per-address               ndiffports with one extra subflow per other local address
                        --controller NAME [PARAM=VALUE ...]
                                                    this controller for every connection
                        --policy FILE               a controller per connection, chosen by the rules in FILE
                        --idle STRATEGY             blocking (default), busy-spin or yielding
                        --receive-buffer BYTES      the event socket's receive buffer: bytes, or with K, M or G
                                                    (default 2M)
                        --decoding WHERE            java (the default) or native (libnl, JNI only)
                        --loop-priority N|off       each event loop thread runs under SCHED_FIFO at priority N
                                                    (1..99): an event wakes it ahead of every ordinary thread,
                                                    however busy the CPUs are; with --idle busy-spin it keeps
                                                    its CPU from them all, so give it one of its own. Needs
                                                    CAP_SYS_NICE (PRIVILEGES): without it the start stops, and
                                                    a reload asking for it leaves the running loop as it is.
                                                    off (the default): ordinary scheduling
                        --loop-cpu LIST|off         each event loop thread runs on these CPUs only: a list such
                                                    as 1 or 0,2-3 of CPUs this process may run on (taskset,
                                                    cpusets and CPUAffinity= narrow them). Give it a CPU other
                                                    work is kept off (isolcpus, systemd's CPUAffinity= for the
                                                    rest). off (the default): any
                        --warm-up N                 before managing, drive N made-up connections (default
                                                    20000, 0: none) through the controllers, hosted as they
                                                    will be, against a stand-in for the kernel, so that the
                                                    JIT has compiled the event path before the first real
                                                    connection (without it a fresh daemon's first thousands
                                                    of events run interpreted, ~100 us slower each). Nothing
                                                    reaches the kernel; the namespace is only read; its
                                                    events wait meanwhile (about a second), none is lost
                        --verbose                   also print every event as 'monitor' does
                        --print-discovered          also print each connection found at start, after a
                                                    reload or lost events, with its subflows
                        --log-level LEVEL           error, warn, info (default), debug or trace
                        --log-format FORMAT         logfmt (default: key=value pairs) or json (one object a line)
                        --metrics [HOST:]PORT|off   serve Prometheus metrics at http://HOST:PORT/metrics and a
                                                    liveness check at /healthz (503 while an event loop is not
                                                    running), HOST 127.0.0.1 when left out (this host only);
                                                    off (the default): none
                        --control-socket PATH|off   the Unix socket 'mptcp4j ctl' talks to (default
                                                    /run/mptcp4j/control.sock; its directory and those above it
                                                    must belong to root or the daemon's user and be writable by no
                                                    one else, those above unless sticky); off: none
                        --plugin-dir DIR            also the controllers of the jars in DIR (mptcpd's plugin-dir)
                        --record FILE               record the namespace's MPTCP traffic into FILE (replaced if it
                                                    exists), a recording the test kit replays (see 'mptcp4j
                                                    help record', docs/recording-format.md): every event
                                                    datagram received, every command sent and the kernel's
                                                    answer to it, with their times. One namespace only (choose it
                                                    with --netns), either decoding. The datagrams are copied into
                                                    a queue a thread of its own writes to FILE, flushed whenever
                                                    it runs empty: FILE reads while the daemon runs, and is
                                                    closed at SIGTERM. A disk that cannot keep up loses
                                                    datagrams (counted in a log line; lost events are marked in
                                                    FILE), never the daemon's time

                    CONFIGURATION
                        An INI file like mptcpd's. [core] holds the daemon's settings: log (as
                        mptcpd's: stderr, one line a record in log-format; journal, the systemd
                        journal's own protocol, each record with its priority and its fields NETNS,
                        TOKEN, CONTROLLER...; syslog, /dev/log with facility daemon; null, nothing;
                        records the journal or syslog cannot take go to stderr), log-level,
                        log-format, reload-on-change (yes: a change of the file, or of where its path
                        leads as a Kubernetes ConfigMap's update swaps it, reloads it as SIGHUP does;
                        default no), path-manager (the controller of every connection) or policy (a policy
                        file), notify-flags (skip_link_local, skip_loopback: which local addresses
                        controllers hear of; without the key both are skipped, with it only those
                        listed), addr-flags (mptcpd's: subflow, signal, backup, fullmesh, signal and
                        fullmesh not together; the addresses the announce controller announces take
                        backup, so that the peer's joins there are backup subflows; subflow and
                        fullmesh concern the in-kernel path manager's endpoints), interfaces and exclude-interfaces, idle, receive-buffer (bytes, K, M
                        or G), decoding, timeout-interval (how often watched subflows are looked at for
                        retransmission timeouts), family-wait (how long to wait at start for the
                        kernel's path-manager family: upstream's mptcp_pm, or the mptcp family a
                        multipath-tcp.org v0.95 kernel's module brings; default 10s, 0s not to wait,
                        whichever came is used), controller-stall (how long a controller may keep the
                        event loop from its events, a callback that blocks, before it is reported and
                        the loop replaced; 1s to 1h, default 30s), loop-priority and loop-cpu (the
                        event loop thread's SCHED_FIFO priority and CPUs, as the options above: each
                        loop sets them for itself as it starts, one that replaces it too),
                        warm-up (as the option above, once per process and controller settings),
                        control-socket, metrics and plugin-dir (a directory of jars with more
                        controllers, as mptcpd's plugin-dir; it and its jars must be owned by root or
                        the daemon's user and writable by no one else) with load-plugins (mptcpd's:
                        NAME[,NAME...], only plugin-dir's NAME.jar; default all). [controller NAME] gives
                        a controller's parameters, also where a policy rule or 'ctl policy' names it
                        (their own parameters over these); every such section is checked at load.
                        [namespace NAME] (an 'ip netns' name or a path) adds a namespace to manage and
                        may override path-manager, policy, notify-flags, addr-flags, interfaces,
                        exclude-interfaces, idle, receive-buffer, decoding, timeout-interval,
                        family-wait, controller-stall, loop-priority and loop-cpu for it.
                        Paths in the file are relative to its directory. The shipped file,
                        commented, is packaging/mptcp4j.conf.

                    VALUES
                        Durations are a number and a unit: ms, s, m, h or d (500ms, 1.5s, 5m); sizes are
                        bytes, or a number and K, M or G (powers of 1024: 512K, 2M); rates a number and
                        bit, kbit, mbit, gbit or tbit (20mbit). Numbers are plain decimals: no sign, no
                        exponent, no Infinity or NaN. A value that is not one, or is out of its range,
                        stops the start (a reload keeps the running configuration) with FILE:LINE, the
                        setting, the value and the range. The settings' ranges:
                    """ + range("receive-buffer", DaemonConfig.RECEIVE_BUFFER) + range("timeout-interval",
                    DaemonConfig.TIMEOUT_INTERVAL) + range("family-wait", DaemonConfig.FAMILY_WAIT)
                    + range("controller-stall", DaemonConfig.CONTROLLER_STALL) + range("warm-up", DaemonConfig.WARM_UP)
                    + range("loop-priority", DaemonConfig.LOOP_PRIORITY) + range("loop-cpu", DaemonConfig.LOOP_CPU) + """
                        (or off; loop-cpu's range is each CPU's, which must also be one this process may
                        run on). Each controller's parameters have theirs: 'mptcp4j controllers' lists them.

                    SIGNALS
                        SIGHUP           read the configuration file again and apply it; managed connections
                                         are kept. A file with mistakes is reported and the old settings stay.
                        SIGTERM, SIGINT  stop: close every event loop and socket in order, then exit

                    SERVICE MANAGER
                        With NOTIFY_SOCKET set (systemd's Type=notify), the daemon sends READY=1 once
                        every namespace is subscribed to the kernel's events, RELOADING=1 and READY=1
                        around a reload, STOPPING=1 when it stops, and, with WATCHDOG_USEC, WATCHDOG=1
                        at half that interval while every namespace's event loop runs the tasks it is
                        given (a loop a controller blocks stops it: set WatchdogSec= above
                        controller-stall, after which the daemon replaces such a loop itself). The
                        shipped units: packaging/systemd/mptcp4j.service and mptcp4j@.service.

                    FILES
                        /etc/mptcp4j/mptcp4j.conf    the configuration
                        /etc/mptcp4j/policy          the policy file the shipped configuration names
                        /run/mptcp4j/control.sock    the control socket

                    PRIVILEGES
                        CAP_NET_ADMIN in each managed namespace (events and commands). A namespace other
                        than the daemon's own (--netns, [namespace] sections) is entered with setns(),
                        which needs CAP_SYS_ADMIN too. To manage one namespace with CAP_NET_ADMIN alone,
                        start the daemon inside it: 'ip netns exec NAME mptcp4j run', or the systemd
                        template unit mptcp4j@NAME.service (NetworkNamespacePath=/run/netns/NAME).
                        loop-priority needs CAP_SYS_NICE too, or an RLIMIT_RTPRIO of at least the priority
                        (systemd: AmbientCapabilities=CAP_NET_ADMIN CAP_SYS_NICE and RestrictRealtime=no,
                        or LimitRTPRIO=); where the kernel has RT_GROUP_SCHED, the daemon's cgroup needs a
                        real-time budget (cpu.rt_runtime_us). loop-cpu needs nothing.

                    EXIT STATUS
                        0 when stopped by SIGTERM or SIGINT; 1 when it cannot start (no CAP_NET_ADMIN, the
                        kernel path manager selected, a namespace that does not exist, loop-priority
                        without CAP_SYS_NICE), with one line saying why; 2 for a mistake on the
                        command line or in the configuration file (FILE:LINE: what is wrong).

                    EXAMPLES
                        mptcp4j run -n blue --controller fullmesh max-subflows=4
                        mptcp4j run --config /etc/mptcp4j/mptcp4j.conf --log-format json
                        ip netns exec blue mptcp4j run --policy /etc/mptcp4j/policy --metrics off
                        mptcp4j run -n blue --loop-priority 50 --loop-cpu 1
                        mptcp4j run -n blue --subflows 2 --record blue.mptcp4j
                        systemctl reload mptcp4j     (SIGHUP: the configuration again)
                    """),
            Map.entry("controllers", """
                    NAME
                        mptcp4j controllers - the controllers 'run' and policies can name, with their parameters

                    SYNOPSIS
                        mptcp4j controllers [--plugin-dir DIR]

                    DESCRIPTION
                        Lists the controllers 'run --controller NAME', the configuration's path-manager
                        key and policy files can name, each with what it does and its parameters (with
                        their ranges: a value out of its range, or not of its kind, is refused):
                        mptcp4j's own, and any a jar on the class path or in the plugin directory provides
                        (META-INF/services/org.mptcp4j.controller.ControllerProvider).

                    OPTIONS
                        --plugin-dir DIR   also the controllers of the jars in DIR (the plugin-dir setting)
                    """),
            Map.entry("path-manager", """
                    NAME
                        mptcp4j path-manager - show or select the path manager of a namespace

                    SYNOPSIS
                        mptcp4j path-manager [--netns NAME] [kernel | userspace]

                    DESCRIPTION
                        Without an argument, prints the path manager new MPTCP connections of the
                        namespace get. With one, selects it: 'userspace' lets mptcp4j decide.
                        Sets net.mptcp.path_manager (Linux 6.15), or net.mptcp.pm_type before.
                        Existing connections keep the path manager they started with.

                    OPTIONS
                        -n, --netns NAME   the namespace; default: this one

                    PRIVILEGES
                        Selecting needs root in the namespace (writing its sysctls).
                    """),
            Map.entry("connections", """
                    NAME
                        mptcp4j connections - every MPTCP connection of a namespace with its subflows

                    SYNOPSIS
                        mptcp4j connections [--netns NAME] [--json]

                    DESCRIPTION
                        Lists every MPTCP connection of a namespace, whoever owns it, with its subflows, from
                        sock_diag (what 'ss -Mi' and 'ss -ti' read):
                          token 1c0ffee5 client 10.0.1.1:40000 -> 10.0.1.2:5201 established, 1 extra subflow, sent 1048576 ...
                            subflow 10.0.2.1:40001 -> 10.0.1.2:5201 ids 2/0 established rtt 18 us rto 204000 us backoff 0 ...

                    OPTIONS
                        -n, --netns NAME   the namespace; default: this one
                        --json             one JSON array
                    """),
            Map.entry("demo", """
                    NAME
                        mptcp4j demo - two namespaced hosts, a real MPTCP transfer, mptcp4j opening its subflows

                    SYNOPSIS
                        mptcp4j demo [--subflows N | --per-address] [--megabytes M] [--rate MBIT] [--busy-poll]

                    DESCRIPTION
                        Creates two hosts in their own network namespaces joined by two veth paths,
                        selects the userspace path manager on the client, runs mptcp4j there with the
                        ndiffports controller, and sends data over MPTCP from client to server. Prints
                        the events as they come and the bytes each subflow carried, then deletes
                        everything it created (also on Ctrl-C). Needs root.

                    OPTIONS
                        --subflows N     extra subflows over the first path (default 2)
                        --per-address    instead, one extra subflow from the second path's address
                        --megabytes M    data to send (default 64)
                        --rate MBIT      rate limit of each client path with tc tbf (default 200; 0: none)
                        --busy-poll      run the event loop busy-polling
                    """),
            Map.entry("version", """
                    NAME
                        mptcp4j version - the version of mptcp4j and the transport it runs on

                    SYNOPSIS
                        mptcp4j version [--json]

                    DESCRIPTION
                        Prints the version of mptcp4j, then the transport that reaches the kernel: JNI,
                        with the version of the libnl libmptcp4j.so was built against and where that
                        library was loaded from (java.library.path, or the file it was extracted to),
                        or FFM (java.lang.foreign, Java 22 and later), which loads no native library.
                        'mptcp4j -V' prints the same.

                    OPTIONS
                        --json             one JSON object (fields: docs/json.md)
                    """));

    /** The path manager's commands, which {@link PathManagerCommands} runs. */
    static final Map<String, String> PATH_MANAGER = Map.ofEntries(
            Map.entry("announce", """
                    NAME
                        mptcp4j announce - announce a local address to the peer of a connection (ADD_ADDR)

                    SYNOPSIS
                        mptcp4j announce ADDR id ID token TOKEN [port PORT] [dev IFNAME] [backup] [listen]

                    DESCRIPTION
                        Announces a local address to the peer of a userspace-PM connection (ADD_ADDR);
                        the kernel repeats it until the peer echoes it. ID is 1..255, the same for the
                        same address on every connection (mptcp4j's ids keep to that).
                        An IPv6 (or v4-mapped) address with a port does not fit in the TCP options beside
                        timestamps: the kernel drops such an ADD_ADDR (nstat MPTcpExtAddAddrTxDrop).

                    OPTIONS
                        id ID               the address's id, 1..255
                        port PORT           announce the port too: peers join ADDR:PORT
                        dev IFNAME          the interface of the address
                        backup              announce it as a backup address
                        listen              keep an MPTCP socket listening on ADDR:PORT until interrupted,
                                            so that the peer's joins there are accepted
                    """ + TOKEN + NETNS + """

                    EXAMPLES
                        mptcp4j announce 10.0.2.1 id 2 token 1c0ffee5 port 8080 listen
                    """),
            Map.entry("remove", """
                    NAME
                        mptcp4j remove - withdraw an announced address from a connection (RM_ADDR)

                    SYNOPSIS
                        mptcp4j remove id ID token TOKEN

                    DESCRIPTION
                        Withdraws local address ID from a userspace-PM connection (RM_ADDR) and closes
                        the connection's subflows on it. ID 0 is the initial subflow's address (Linux 6.10).

                    OPTIONS
                        id ID               the address's id, 0..255
                    """ + TOKEN + NETNS),
            Map.entry("subflow create", """
                    NAME
                        mptcp4j subflow create - open a subflow of a connection

                    SYNOPSIS
                        mptcp4j subflow create token TOKEN local ADDR [id ID] [lport PORT] [dev IFNAME]
                                               [backup] remote ADDR rport PORT

                    DESCRIPTION
                        Opens a subflow of a userspace-PM connection from the local address to the remote
                        address and port. The kernel sends the MP_JOIN SYN at once; whether the subflow
                        comes up shows as SUB_ESTABLISHED or SUB_CLOSED in 'mptcp4j monitor'.

                    OPTIONS
                        local ADDR          the local address
                        id ID               the local address's id (0 for the initial subflow's address)
                        lport PORT          the source port; default: any
                        dev IFNAME          the interface to send from
                        backup              the subflow is a backup path
                        remote ADDR         the peer's address
                        rport PORT          the peer's port
                    """ + TOKEN + NETNS + """

                    EXAMPLES
                        mptcp4j subflow create token 1c0ffee5 local 10.0.2.1 id 2 remote 10.0.1.2 rport 5201
                    """),
            Map.entry("subflow destroy", """
                    NAME
                        mptcp4j subflow destroy - close a subflow of a connection

                    SYNOPSIS
                        mptcp4j subflow destroy token TOKEN local ADDR lport PORT remote ADDR rport PORT

                    DESCRIPTION
                        Closes the subflow with exactly this 4-tuple (as SUB_ESTABLISHED reported it).

                    OPTIONS
                        local ADDR          the local address
                        lport PORT          the local port
                        remote ADDR         the peer's address
                        rport PORT          the peer's port
                    """ + TOKEN + NETNS),
            Map.entry("set-backup", """
                    NAME
                        mptcp4j set-backup - mark a subflow as backup or not (MP_PRIO)

                    SYNOPSIS
                        mptcp4j set-backup token TOKEN local ADDR [lport PORT] remote ADDR [rport PORT]
                                           backup|nobackup

                    DESCRIPTION
                        Marks a subflow of a userspace-PM connection as backup or not: the kernel sends
                        MP_PRIO to the peer (Linux 6.0).

                    OPTIONS
                        local ADDR          the local address
                        lport PORT          the local port; default: any
                        remote ADDR         the peer's address
                        rport PORT          the peer's port; default: any
                        backup, nobackup    what the subflow becomes
                    """ + TOKEN + NETNS),
            Map.entry("exists", """
                    NAME
                        mptcp4j exists - whether a token names a live MPTCP connection

                    SYNOPSIS
                        mptcp4j exists token TOKEN

                    DESCRIPTION
                        Prints 'TOKEN exists' and exits 0 when the namespace has a live connection with
                        this token; prints 'no connection TOKEN' and exits 3 when it has none (1: the
                        question could not be asked, said on stderr; 2: a usage mistake). On a
                        multipath-tcp.org v0.95 kernel the kernel answers (EXIST); upstream, which has
                        no such command, the connections' MPTCP_INFO does (sock_diag).
                    """ + TOKEN + NETNS),
            Map.entry("event-filter", """
                    NAME
                        mptcp4j event-filter - the event types a v0.95 kernel sends (SET_FILTER)

                    SYNOPSIS
                        mptcp4j event-filter TYPE[,TYPE...]

                    DESCRIPTION
                        Makes a multipath-tcp.org v0.95 kernel send only events of these types (created,
                        established, closed, announced, removed, sub_established, sub_closed,
                        sub_priority). The filter is the kernel module's one setting: every listener in
                        every namespace of the host gets only these, until it is set again (the daemon
                        sets all types when it starts). Upstream kernels have no
                        such command and say so (EOPNOTSUPP); there 'monitor --types' and the event
                        loop filter on the receiving side.
                    """ + NETNS),
            Map.entry("addrs", """
                    NAME
                        mptcp4j addrs - the local addresses of a connection and their ids

                    SYNOPSIS
                        mptcp4j addrs token TOKEN [id ID] [--json]

                    DESCRIPTION
                        Lists the local addresses of a userspace-PM connection with their ids (Linux 6.9).

                    OPTIONS
                        id ID               only this address
                        --json              one JSON array
                    """ + TOKEN + NETNS),
            Map.entry("listen", """
                    NAME
                        mptcp4j listen - keep an MPTCP socket listening where peers may join

                    SYNOPSIS
                        mptcp4j listen ADDR PORT

                    DESCRIPTION
                        Keeps an MPTCP socket listening on ADDR:PORT until interrupted, so that peers can
                        join connections there (the kernel accepts a join only where an MPTCP socket
                        listens). It accepts no new connections itself.

                    OPTIONS
                        ADDR PORT           the local address and port
                    """ + NETNS),
            Map.entry("endpoint add", """
                    NAME
                        mptcp4j endpoint add - add an endpoint of the in-kernel path manager

                    SYNOPSIS
                        mptcp4j endpoint add ADDR [id ID] [port PORT] [dev IFNAME] [FLAG...]

                    DESCRIPTION
                        Adds an endpoint of the in-kernel path manager.

                    OPTIONS
                        id ID               the endpoint's id, 1..255; default: the kernel picks
                        port PORT           the port to announce with a signal endpoint
                        dev IFNAME          the interface of the address
                        FLAG                signal (announce it), subflow (open subflows from it),
                                            backup, fullmesh or laminar
                    """ + NETNS + """

                    EXAMPLES
                        mptcp4j endpoint add 10.0.2.1 id 2 dev eth1 subflow
                    """),
            Map.entry("endpoint delete", """
                    NAME
                        mptcp4j endpoint delete - delete an endpoint of the in-kernel path manager

                    SYNOPSIS
                        mptcp4j endpoint delete id ID [ADDR]

                    DESCRIPTION
                        Deletes endpoint ID; ID 0 needs ADDR (the address of the initial subflows).

                    OPTIONS
                        id ID               the endpoint's id, 0..255
                        ADDR                its address, needed with id 0
                    """ + NETNS),
            Map.entry("endpoint show", """
                    NAME
                        mptcp4j endpoint show - list the endpoints of the in-kernel path manager

                    SYNOPSIS
                        mptcp4j endpoint show [id ID] [--json]

                    DESCRIPTION
                        Lists the endpoints of the in-kernel path manager, or endpoint ID.

                    OPTIONS
                        id ID               only this endpoint
                        --json              one JSON array
                    """ + NETNS),
            Map.entry("endpoint flush", """
                    NAME
                        mptcp4j endpoint flush - delete every endpoint of the in-kernel path manager

                    SYNOPSIS
                        mptcp4j endpoint flush

                    DESCRIPTION
                        Deletes every endpoint.

                    OPTIONS
                    """ + NETNS),
            Map.entry("endpoint change", """
                    NAME
                        mptcp4j endpoint change - change the backup and fullmesh flags of an endpoint

                    SYNOPSIS
                        mptcp4j endpoint change [id ID] [ADDR [port PORT]] backup|nobackup|fullmesh|nofullmesh...

                    DESCRIPTION
                        Changes the backup and fullmesh flags of an endpoint, named by its id, its
                        address, or both (the address finds it; the id must be its), as 'ip mptcp
                        endpoint change' does. A flag not named stays as it is (ip clears the one of
                        the two it is not given). 'endpoint set' is the same command.

                    OPTIONS
                        id ID               the endpoint, by its id
                        ADDR [port PORT]    or by its address (and port)
                        backup, nobackup    mark it as backup or not
                        fullmesh, nofullmesh
                                            a subflow from it to every peer address, or not
                    """ + NETNS),
            Map.entry("limits show", """
                    NAME
                        mptcp4j limits show - the in-kernel path manager's limits per connection

                    SYNOPSIS
                        mptcp4j limits show [--json]

                    DESCRIPTION
                        Prints the in-kernel path manager's limits per connection.

                    OPTIONS
                        --json              one JSON object
                    """ + NETNS),
            Map.entry("limits set", """
                    NAME
                        mptcp4j limits set - set the in-kernel path manager's limits per connection

                    SYNOPSIS
                        mptcp4j limits set [subflows N] [add_addr_accepted N]

                    DESCRIPTION
                        Sets the in-kernel path manager's limits per connection (each 0..8); one left out
                        keeps its value.

                    OPTIONS
                        subflows N          subflows per connection besides the initial one ('subflow' too)
                        add_addr_accepted N addresses a peer may announce that are used
                    """ + NETNS));

    private Manuals() {}

    /** A line of a list of settings' ranges. */
    private static String range(String setting, ValueRange range) {
        return " ".repeat(INDENT + 2) + setting + " ".repeat(Math.max(1, 20 - setting.length())) + range + "\n";
    }

    /** The manual of {@code command} ("run", "subflow create"), or null when there is none. */
    static String page(String command) {
        String page = COMMANDS.get(command);
        return page != null ? page : PATH_MANAGER.get(command);
    }

    /** Every command with a manual, sorted. */
    static List<String> commands() {
        return Stream.concat(COMMANDS.keySet().stream(), PATH_MANAGER.keySet().stream()).sorted().toList();
    }

    /**
     * The sections of a manual page in order, by heading (NAME, SYNOPSIS, ...), each with its
     * lines less the section's indentation (a line indented less, a heading within the
     * section, less its own): blank lines kept, those at the end dropped.
     */
    static Map<String, List<String>> sections(String page) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> body = null;
        for (String line : page.lines().toList()) {
            if (!line.isEmpty() && line.charAt(0) != ' ') {
                body = new ArrayList<>();
                sections.put(line, body);
            } else if (body != null) {
                int indent = 0;
                while (indent < INDENT && indent < line.length() && line.charAt(indent) == ' ') {
                    indent++;
                }
                body.add(line.substring(indent));
            }
        }
        for (List<String> lines : sections.values()) {
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
                lines.remove(lines.size() - 1);
            }
        }
        return sections;
    }

    /**
     * The SYNOPSIS of {@code command} as usage lines ("Usage: mptcp4j run ...", continuation
     * lines aligned under it), each ending in a newline; null when it has no manual.
     */
    static String usage(String command) {
        String page = page(command);
        if (page == null) {
            return null;
        }
        StringBuilder usage = new StringBuilder();
        List<String> lines = page.lines().dropWhile(line -> !line.equals("SYNOPSIS")).skip(1)
                .takeWhile(line -> !line.isBlank()).toList();
        for (String line : lines) {
            // "Usage: " is 3 columns wider than the indentation it replaces.
            usage.append(usage.length() == 0 ? "Usage: " + line.substring(INDENT) : "   " + line).append('\n');
        }
        return usage.toString();
    }
}
