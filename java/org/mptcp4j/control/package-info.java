/**
 * The daemon's control socket: {@code mptcp4j ctl} and applications query the running daemon
 * and give it commands. {@link org.mptcp4j.control.ControlServer} listens,
 * {@link org.mptcp4j.control.ControlClient} asks, a {@link org.mptcp4j.control.ControlHandler}
 * answers.
 *
 * <h2>Protocol</h2>
 *
 * <p>A Unix stream socket, {@code /run/mptcp4j/control.sock} unless configured otherwise. The
 * socket file has mode 0600; a directory created for it has mode 0700, and an existing one, and
 * every directory above it, must be owned by root or by the daemon's user and writable by no one
 * else, one above unless it is sticky (else the daemon refuses to start, naming the directory,
 * its owner and mode). None may be a symbolic link, nor the socket file. Only root
 * and the daemon's own user are served: the server checks every connection's peer uid with
 * {@code SO_PEERCRED}.
 *
 * <p>The client writes requests, one per line: UTF-8, at most 4096 bytes without the newline,
 * words separated by spaces or tabs (a carriage return before the newline is ignored). The
 * words are those of the {@code mptcp4j} command line after {@code ctl}, for example:
 * <pre>
 * -n blue --json connections
 * subflow create token 1c0ffee5 local 10.0.2.1 id 2 remote 10.0.1.2 rport 5201
 * policy token 1c0ffee5 fullmesh max-subflows=4
 * </pre>
 *
 * <p>The server answers each request, in order, with a status line, zero or more payload
 * lines (never empty) and one empty line:
 * <pre>
 * ok
 * PAYLOAD LINE
 * ...
 * (empty line)
 * </pre>
 * or
 * <pre>
 * error ERRNO TEXT
 * (empty line)
 * </pre>
 * ERRNO is
 * <ul>
 *   <li>the kernel's errno number when the kernel refused the command;</li>
 *   <li>0 for a mistake in the request, TEXT saying which; also 0, with TEXT starting
 *       {@code internal error:}, when the daemon failed on the request (a bug);</li>
 *   <li>1 (EPERM) for a peer that is neither root nor the daemon's user;</li>
 *   <li>16 (EBUSY) when 16 clients are connected already;</li>
 *   <li>110 (ETIMEDOUT) to a client that sent no whole request line within 10 s of connecting
 *       or of the end of its last answer: the server closes the connection after it.</li>
 * </ul>
 *
 * <p>A connection carries any number of requests; a client may write the next before it has
 * read the answer to the previous one. End of file ends the connection; a last request
 * without its newline is answered too. The server closes the connection after answering
 * {@code error 0 request longer than 4096 bytes}, and, for a peer it refuses or when busy,
 * right after connecting, before reading anything: that client reads the error line as the
 * answer to its first request. A client that does not take in an answer within 10 s of its
 * writing starting is disconnected without one. A client that keeps a connection open between
 * requests spaced more than 10 s apart connects again when it finds it closed
 * ({@link org.mptcp4j.control.ControlClient} does so by itself).
 *
 * <p>Example:
 * <pre>
 * &gt; subflows token 1c0ffee5
 * &lt; ok
 * &lt; subflow 10.0.1.1:40000 -&gt; 10.0.1.2:5201 ids 0/0 established ...
 * &lt; subflow 10.0.2.1:40001 -&gt; 10.0.1.2:5201 ids 2/0 established ...
 * &lt;
 * &gt; subflow destroy token 1c0ffee5 local 10.0.9.9 lport 40002 remote 10.0.1.2 rport 5201
 * &lt; error 2 subflow destroy: No such file or directory (ENOENT)
 * &lt;
 * </pre>
 */
package org.mptcp4j.control;
