/*
 * Natives of org.mptcp4j.control.PeerCredentials: the uid of the process at the other end of a
 * Unix socket (SO_PEERCRED), and this process's effective uid. The JDK gives the peer's user
 * only as a name, and two uids can have one name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jni_support.h"

/* The peer's uid, as the kernel recorded it at connect(); -1 with an IOException on failure. */
static jint peer_uid(JNIEnv *env, jclass cls, jobject channel)
{
	(void)cls;
	int fd = m4j_channel_fd(env, channel);
	if (fd < 0)
		return -1;
	struct ucred credentials;
	socklen_t len = sizeof(credentials);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &len) != 0) {
		m4j_throw_io(env, "getsockopt(SO_PEERCRED)", errno);
		return -1;
	}
	return (jint)credentials.uid;
}

/* geteuid() cannot fail. */
static jint effective_uid(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jint)geteuid();
}

static const JNINativeMethod methods[] = {
	{"peerUid", "(Ljava/lang/Object;)I", (void *)peer_uid},
	{"effectiveUid", "()I", (void *)effective_uid},
};

int m4j_register_peer_credentials(JNIEnv *env)
{
	return m4j_register(env, "org/mptcp4j/control/PeerCredentials", methods, M4J_ARRAY_LEN(methods));
}
