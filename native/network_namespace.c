/* Natives of org.mptcp4j.netns.NetworkNamespace, and the enter/leave pair other files use. */
#define _GNU_SOURCE
#include "network_namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jni_support.h"

int network_namespace_enter(int target_fd, int *saved_fd)
{
	*saved_fd = -1;
	if (target_fd < 0)
		return 0;
	int current = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (current < 0)
		return -errno;
	if (setns(target_fd, CLONE_NEWNET) != 0) {
		int err = errno;
		(void)close(current);
		return -err;
	}
	*saved_fd = current;
	return 0;
}

void network_namespace_leave(int saved_fd)
{
	if (saved_fd < 0)
		return;
	/*
	 * A thread that cannot return would go on creating every later socket in the wrong
	 * namespace, silently; nothing can repair that, so stop loudly.
	 */
	if (setns(saved_fd, CLONE_NEWNET) != 0) {
		fprintf(stderr, "mptcp4j: cannot return a thread to its network namespace: %s; aborting\n",
			strerror(errno));
		abort();
	}
	(void)close(saved_fd);
}

static jint ns_open(JNIEnv *env, jclass cls, jstring path)
{
	(void)cls;
	const char *cpath = (*env)->GetStringUTFChars(env, path, NULL);
	if (cpath == NULL)
		return -1;
	int fd = open(cpath, O_RDONLY | O_CLOEXEC);
	int err = errno;
	(*env)->ReleaseStringUTFChars(env, path, cpath);
	if (fd < 0) {
		m4j_throw_io(env, "open network namespace", err);
		return -1;
	}
	/* Refuse other files now rather than fail obscurely at the first setns(). */
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		err = type < 0 ? errno : EINVAL;
		(void)close(fd);
		m4j_throw_io(env, "not a network namespace", err);
		return -1;
	}
	return fd;
}

static void ns_close(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	(void)close(fd);
}

/* Another descriptor of the namespace open at fd, for an owner that closes it on its own. */
static jint ns_duplicate(JNIEnv *env, jclass cls, jint fd)
{
	(void)cls;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0) {
		m4j_throw_io(env, "duplicate network namespace descriptor", errno);
		return -1;
	}
	return copy;
}

static jint ns_enter(JNIEnv *env, jclass cls, jint fd)
{
	(void)cls;
	int saved;
	int rc = network_namespace_enter(fd, &saved);
	if (rc < 0) {
		m4j_throw_io(env, "setns(CLONE_NEWNET)", -rc);
		return -1;
	}
	return saved;
}

static void ns_leave(JNIEnv *env, jclass cls, jint saved)
{
	(void)env;
	(void)cls;
	network_namespace_leave(saved);
}

static jlong ns_inode(JNIEnv *env, jclass cls, jint fd)
{
	(void)cls;
	struct stat st;
	int rc = fd >= 0 ? fstat(fd, &st) : stat("/proc/thread-self/ns/net", &st);
	if (rc != 0) {
		m4j_throw_io(env, "stat network namespace", errno);
		return -1;
	}
	return (jlong)st.st_ino;
}

/* if_nametoindex inside the namespace: interface names are per namespace. */
static jint interface_index(JNIEnv *env, jclass cls, jint fd, jstring name)
{
	(void)cls;
	const char *cname = (*env)->GetStringUTFChars(env, name, NULL);
	if (cname == NULL)
		return -1;
	int saved;
	int rc = network_namespace_enter(fd, &saved);
	unsigned index = 0;
	int err = 0;
	if (rc == 0) {
		index = if_nametoindex(cname);
		err = errno;
		network_namespace_leave(saved);
	}
	(*env)->ReleaseStringUTFChars(env, name, cname);
	if (rc < 0) {
		m4j_throw_io(env, "enter network namespace", -rc);
		return -1;
	}
	return index == 0 ? -err : (jint)index;
}

/* The name's bytes, as the namespace's root chose them (any but '/', ':', NUL, white space): Java decodes them. */
static jbyteArray interface_name(JNIEnv *env, jclass cls, jint fd, jint index)
{
	(void)cls;
	char name[IF_NAMESIZE];
	int saved;
	int rc = network_namespace_enter(fd, &saved);
	if (rc < 0) {
		m4j_throw_io(env, "enter network namespace", -rc);
		return NULL;
	}
	const char *found = index > 0 ? if_indextoname((unsigned)index, name) : NULL;
	network_namespace_leave(saved);
	if (found == NULL)
		return NULL;
	jsize len = (jsize)strnlen(name, sizeof(name));
	jbyteArray bytes = (*env)->NewByteArray(env, len);
	if (bytes != NULL)
		(*env)->SetByteArrayRegion(env, bytes, 0, len, (const jbyte *)name);
	return bytes;
}

int m4j_register_network_namespace(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(Ljava/lang/String;)I", (void *)ns_open},
		{"close", "(I)V", (void *)ns_close},
		{"duplicate", "(I)I", (void *)ns_duplicate},
		{"enter", "(I)I", (void *)ns_enter},
		{"leave", "(I)V", (void *)ns_leave},
		{"inode", "(I)J", (void *)ns_inode},
		{"interfaceIndex", "(ILjava/lang/String;)I", (void *)interface_index},
		{"interfaceName", "(II)[B", (void *)interface_name},
	};
	return m4j_register(env, "org/mptcp4j/netns/NetworkNamespace", methods,
			    M4J_ARRAY_LEN(methods));
}
