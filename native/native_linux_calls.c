/*
 * Natives of org.mptcp4j.natives.NativeLinuxCalls: the LinuxCalls interface for the JNI
 * transport, one libc call each, the same calls the FFM transport makes through
 * java.lang.foreign. Each returns what the call returns or -errno and throws nothing for the
 * kernel's refusals; the netlink protocol above them is Java, written once for both transports.
 * Java checks offsets and lengths against the buffers' capacities before calling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "jni_support.h"
#include "mptcp4j/mptcp_uapi.h"

/* From linux/nsfs.h, which older distributions' headers lack. */
#define M4J_NS_GET_NSTYPE _IO(0xb7, 0x3)
/* The sizes Java lays MPTCP_FULL_INFO's buffer out with (LinuxCalls). */
_Static_assert(sizeof(struct mptcp_full_info) == 136, "LinuxCalls.MPTCP_FULL_INFO_SIZE");
_Static_assert(sizeof(struct mptcp_subflow_info) == 264, "LinuxCalls.MPTCP_SUBFLOW_INFO_SIZE");
/* The largest CPU mask a caller passes: 8192 CPUs, the kernel's largest NR_CPUS. */
#define M4J_MASK_WORDS 128
/* LinuxCalls.MAX_FILTER_INSTRUCTIONS. */
#define M4J_FILTER_MAX 64

static jint result(long rc)
{
	return rc < 0 ? -errno : (jint)rc;
}

/*
 * java.nio.Buffer's address field, looked up once at registration, NULL if this JDK lacks it.
 * Read directly, it spares each call the type checks and trips into the VM of
 * GetDirectBufferAddress and GetDirectBufferCapacity (four per receive), which a loop woken on
 * cold caches pays in microseconds.
 */
static jfieldID buffer_address;

/*
 * The address of a direct buffer (Java checked that it is one, and its size); NULL with an
 * exception pending.
 */
static uint8_t *address(JNIEnv *env, jobject buffer)
{
	if (buffer_address == NULL)
		return m4j_direct_buffer(env, buffer, 0, NULL);
	uint8_t *base = (uint8_t *)(intptr_t)(*env)->GetLongField(env, buffer, buffer_address);
	if (base == NULL)
		m4j_throw_illegal_argument(env, "buffer is not a direct buffer");
	return base;
}

static jint open_file(JNIEnv *env, jclass cls, jstring path, jint flags)
{
	(void)cls;
	const char *chars = (*env)->GetStringUTFChars(env, path, NULL);
	if (chars == NULL)
		return -ENOMEM;
	jint rc = result(open(chars, flags));
	(*env)->ReleaseStringUTFChars(env, path, chars);
	return rc;
}

static jint close_fd(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	return result(close(fd));
}

static jint control(JNIEnv *env, jclass cls, jint fd, jint command, jint argument)
{
	(void)env;
	(void)cls;
	return result(fcntl(fd, command, argument));
}

static jint dup_to(JNIEnv *env, jclass cls, jint from, jint to, jint flags)
{
	(void)env;
	(void)cls;
	return result(dup3(from, to, flags));
}

static jint namespace_type(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	return result(ioctl(fd, M4J_NS_GET_NSTYPE));
}

static jint enter_namespace(JNIEnv *env, jclass cls, jint fd, jint nstype)
{
	(void)env;
	(void)cls;
	return result(setns(fd, nstype));
}

static jlong inode(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	return (jlong)st.st_ino;
}

static jint interface_index(JNIEnv *env, jclass cls, jstring name)
{
	(void)cls;
	const char *chars = (*env)->GetStringUTFChars(env, name, NULL);
	if (chars == NULL)
		return -ENOMEM;
	unsigned index = if_nametoindex(chars);
	jint rc = index != 0 ? (jint)index : -errno;
	(*env)->ReleaseStringUTFChars(env, name, chars);
	return rc;
}

static jbyteArray interface_name(JNIEnv *env, jclass cls, jint index)
{
	(void)cls;
	char name[IF_NAMESIZE + 1] = {0};
	if (index <= 0 || if_indextoname((unsigned)index, name) == NULL)
		return NULL;
	jsize length = (jsize)strnlen(name, IF_NAMESIZE);
	jbyteArray bytes = (*env)->NewByteArray(env, length);
	if (bytes != NULL)
		(*env)->SetByteArrayRegion(env, bytes, 0, length, (const jbyte *)name);
	return bytes;
}

static jint open_socket(JNIEnv *env, jclass cls, jint domain, jint type, jint protocol)
{
	(void)env;
	(void)cls;
	return result(socket(domain, type, protocol));
}

static struct sockaddr_nl netlink_address(jint port_id, jint groups)
{
	struct sockaddr_nl a;
	memset(&a, 0, sizeof(a));
	a.nl_family = AF_NETLINK;
	a.nl_pid = (uint32_t)port_id;
	a.nl_groups = (uint32_t)groups;
	return a;
}

static jint bind_netlink(JNIEnv *env, jclass cls, jint fd, jint port_id, jint groups)
{
	(void)env;
	(void)cls;
	struct sockaddr_nl a = netlink_address(port_id, groups);
	return result(bind(fd, (struct sockaddr *)&a, sizeof(a)));
}

static jint connect_netlink(JNIEnv *env, jclass cls, jint fd, jint port_id)
{
	(void)env;
	(void)cls;
	struct sockaddr_nl a = netlink_address(port_id, 0);
	return result(connect(fd, (struct sockaddr *)&a, sizeof(a)));
}

static jlong netlink_port_id(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	struct sockaddr_nl a = netlink_address(0, 0);
	socklen_t length = sizeof(a);
	if (getsockname(fd, (struct sockaddr *)&a, &length) != 0)
		return -errno;
	return (jlong)a.nl_pid;
}

static jint set_int_option(JNIEnv *env, jclass cls, jint fd, jint level, jint name, jint value)
{
	(void)env;
	(void)cls;
	int v = value;
	return result(setsockopt(fd, level, name, &v, sizeof(v)));
}

static jint int_option(JNIEnv *env, jclass cls, jint fd, jint level, jint name)
{
	(void)env;
	(void)cls;
	int v = 0;
	socklen_t length = sizeof(v);
	if (getsockopt(fd, level, name, &v, &length) != 0)
		return -errno;
	return v;
}

static jint send_bytes(JNIEnv *env, jclass cls, jint fd, jobject buffer, jint offset, jint length,
		       jint flags)
{
	(void)cls;
	uint8_t *base = address(env, buffer);
	if (base == NULL)
		return -EINVAL;
	return result(send(fd, base + offset, (size_t)length, flags));
}

static jint receive_bytes(JNIEnv *env, jclass cls, jint fd, jobject buffer, jint offset,
			  jint length, jint flags, jobject sender)
{
	(void)cls;
	uint8_t *base = address(env, buffer);
	if (base == NULL)
		return -EINVAL;
	uint8_t *from = address(env, sender); /* not called with an exception pending */
	if (from == NULL)
		return -EINVAL;
	/* sender: a sockaddr_nl, then its length at 12 (LinuxCalls.receive). */
	socklen_t from_length = sizeof(struct sockaddr_nl);
	ssize_t rc = recvfrom(fd, base + offset, (size_t)length, flags, (struct sockaddr *)from,
			      &from_length);
	if (rc < 0)
		return -errno;
	int32_t stored = (int32_t)from_length;
	memcpy(from + sizeof(struct sockaddr_nl), &stored, sizeof(stored));
	return (jint)rc;
}

/* Bit i set when descriptor i is readable or has an error or hang-up to report. */
static int poll_ready(int fd0, int fd1, int fd2, int timeout)
{
	/* poll(2) skips a negative descriptor: slot i stays argument i. */
	struct pollfd fds[3] = {{.fd = fd0, .events = POLLIN},
				{.fd = fd1, .events = POLLIN},
				{.fd = fd2, .events = POLLIN}};
	int rc = poll(fds, 3, timeout);
	if (rc <= 0)
		return rc < 0 ? -errno : 0;
	int ready = 0;
	for (int i = 0; i < 3; i++) {
		if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
			ready |= 1 << i;
	}
	return ready;
}

static jint poll_three(JNIEnv *env, jclass cls, jint fd0, jint fd1, jint fd2, jint timeout)
{
	(void)env;
	(void)cls;
	return poll_ready(fd0, fd1, fd2, timeout);
}

/* The loop's wait and its first receive in one crossing: a woken loop goes straight from the
 * poll to the datagram that woke it, without returning to Java in between. */
static jlong poll_then_receive(JNIEnv *env, jclass cls, jint fd0, jint fd1, jint fd2, jint timeout,
			       jobject buffer, jint offset, jint length, jint flags, jobject sender)
{
	int ready = poll_ready(fd0, fd1, fd2, timeout);
	if (ready <= 0)
		return ready;
	jint received = 0;
	if (ready & 1)
		received = receive_bytes(env, cls, fd0, buffer, offset, length, flags, sender);
	return (jlong)ready << 32 | (jlong)(uint32_t)received;
}

static jint new_eventfd(JNIEnv *env, jclass cls, jint flags)
{
	(void)env;
	(void)cls;
	return result(eventfd(0, flags));
}

static jint write_counter(JNIEnv *env, jclass cls, jint fd, jlong value)
{
	(void)env;
	(void)cls;
	uint64_t v = (uint64_t)value;
	return result(write(fd, &v, sizeof(v)));
}

static jint read_counter(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	uint64_t v = 0;
	if (read(fd, &v, sizeof(v)) < 0)
		return errno == EAGAIN ? 0 : -errno;
	return v != 0;
}

static jint mptcp_full_info(JNIEnv *env, jclass cls, jint fd, jobject info, jint subflows,
			    jint tcp_info_size)
{
	(void)cls;
	uint8_t *full = address(env, info);
	if (full == NULL)
		return -EINVAL;
	size_t size = sizeof(struct mptcp_full_info) +
		      (size_t)subflows * (sizeof(struct mptcp_subflow_info) + (size_t)tcp_info_size);
	memset(full, 0, size);
	/* The user sizes and the two arrays behind it in the same buffer, as LinuxCalls says. */
	struct mptcp_full_info request = {
		.size_tcpinfo_user = (uint32_t)tcp_info_size,
		.size_sfinfo_user = sizeof(struct mptcp_subflow_info),
		.size_arrays_user = (uint32_t)subflows,
		.subflow_info = (uint64_t)(uintptr_t)(full + sizeof(struct mptcp_full_info)),
	};
	request.tcp_info = request.subflow_info + (uint64_t)subflows * sizeof(struct mptcp_subflow_info);
	memcpy(full, &request, sizeof(request));
	socklen_t length = sizeof(struct mptcp_full_info);
	return getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, full, &length) == 0 ? 0 : -errno;
}

/* -1 with an exception pending for a channel without the field. */
static jint channel_descriptor(JNIEnv *env, jclass cls, jobject channel)
{
	(void)cls;
	return m4j_channel_fd(env, channel);
}

static jint effective_uid(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jint)geteuid();
}

static jint process_id(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jint)getpid();
}

static jint set_scheduler(JNIEnv *env, jclass cls, jint pid, jint policy, jint priority)
{
	(void)env;
	(void)cls;
	struct sched_param param = {.sched_priority = priority};
	return result(sched_setscheduler(pid, policy, &param));
}

/* A CPU mask crosses as long[]: on the little-endian LP64 machines this builds for, the same
 * bits as the kernel's array of unsigned long. */
static jint set_affinity(JNIEnv *env, jclass cls, jint pid, jlongArray mask)
{
	(void)cls;
	jlong words[M4J_MASK_WORDS];
	jsize count = (*env)->GetArrayLength(env, mask);
	if (count > M4J_MASK_WORDS)
		return -EINVAL;
	(*env)->GetLongArrayRegion(env, mask, 0, count, words);
	if ((*env)->ExceptionCheck(env))
		return -EINVAL;
	return result(sched_setaffinity(pid, (size_t)count * sizeof(jlong), (cpu_set_t *)words));
}

static jint get_affinity(JNIEnv *env, jclass cls, jint pid, jlongArray mask)
{
	(void)cls;
	jlong words[M4J_MASK_WORDS];
	jsize count = (*env)->GetArrayLength(env, mask);
	if (count > M4J_MASK_WORDS)
		return -EINVAL;
	memset(words, 0, sizeof(words));
	int rc = sched_getaffinity(pid, (size_t)count * sizeof(jlong), (cpu_set_t *)words);
	if (rc < 0)
		return -errno;
	(*env)->SetLongArrayRegion(env, mask, 0, count, words);
	return rc;
}

/* Each instruction crosses as one long, k in its high half: on little-endian machines the
 * bytes of a struct sock_filter. */
static jint attach_filter(JNIEnv *env, jclass cls, jint fd, jlongArray program)
{
	(void)cls;
	_Static_assert(sizeof(struct sock_filter) == sizeof(jlong), "one instruction per long");
	jlong code[M4J_FILTER_MAX];
	jsize count = (*env)->GetArrayLength(env, program);
	if (count < 1 || count > M4J_FILTER_MAX)
		return -EINVAL;
	(*env)->GetLongArrayRegion(env, program, 0, count, code);
	if ((*env)->ExceptionCheck(env))
		return -EINVAL;
	struct sock_filter filter[M4J_FILTER_MAX];
	memcpy(filter, code, (size_t)count * sizeof(filter[0]));
	struct sock_fprog fprog = {.len = (unsigned short)count, .filter = filter};
	return result(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)));
}

static jlong socket_pair(JNIEnv *env, jclass cls, jint domain, jint type, jint protocol)
{
	(void)env;
	(void)cls;
	int fds[2];
	if (socketpair(domain, type, protocol, fds) != 0)
		return -errno;
	return (jlong)fds[0] << 32 | (jlong)(uint32_t)fds[1];
}

static jint poll_events(JNIEnv *env, jclass cls, jint fd, jint events, jint timeout)
{
	(void)env;
	(void)cls;
	struct pollfd p = {.fd = fd, .events = (short)events};
	int rc = poll(&p, 1, timeout);
	if (rc <= 0)
		return rc < 0 ? -errno : 0;
	return (uint16_t)p.revents;
}

/* A sockaddr_un for `path` (Java checked 1 to 107 bytes); its length, or -errno. */
static int unix_address(JNIEnv *env, jbyteArray path, struct sockaddr_un *a)
{
	jsize length = (*env)->GetArrayLength(env, path);
	if (length < 1 || length >= (jsize)sizeof(a->sun_path))
		return -ENAMETOOLONG;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	(*env)->GetByteArrayRegion(env, path, 0, length, (jbyte *)a->sun_path);
	if ((*env)->ExceptionCheck(env))
		return -EINVAL;
	/* A path's terminating NUL counted, as sd_notify does; an abstract name has none. */
	return (int)(offsetof(struct sockaddr_un, sun_path) + (size_t)length + (a->sun_path[0] != 0));
}

static jint bind_unix(JNIEnv *env, jclass cls, jint fd, jbyteArray path)
{
	(void)cls;
	struct sockaddr_un a;
	int length = unix_address(env, path, &a);
	if (length < 0)
		return length;
	return result(bind(fd, (struct sockaddr *)&a, (socklen_t)length));
}

static jint send_to_unix(JNIEnv *env, jclass cls, jint fd, jbyteArray path, jobject buffer,
			 jint offset, jint length, jint flags)
{
	(void)cls;
	struct sockaddr_un a;
	int address_length = unix_address(env, path, &a);
	if (address_length < 0)
		return address_length;
	uint8_t *base = address(env, buffer);
	if (base == NULL)
		return -EINVAL;
	return result(sendto(fd, base + offset, (size_t)length, flags, (struct sockaddr *)&a,
			     (socklen_t)address_length));
}

int m4j_register_native_linux_calls(JNIEnv *env)
{
	jclass buffer_class = (*env)->FindClass(env, "java/nio/Buffer");
	if (buffer_class != NULL)
		buffer_address = (*env)->GetFieldID(env, buffer_class, "address", "J");
	if (buffer_address == NULL)
		(*env)->ExceptionClear(env); /* GetDirectBufferAddress then */
	static const JNINativeMethod methods[] = {
		{"open0", "(Ljava/lang/String;I)I", (void *)open_file},
		{"close0", "(I)I", (void *)close_fd},
		{"fcntl0", "(III)I", (void *)control},
		{"dup30", "(III)I", (void *)dup_to},
		{"namespaceType0", "(I)I", (void *)namespace_type},
		{"setns0", "(II)I", (void *)enter_namespace},
		{"inode0", "(I)J", (void *)inode},
		{"interfaceIndex0", "(Ljava/lang/String;)I", (void *)interface_index},
		{"interfaceName0", "(I)[B", (void *)interface_name},
		{"socket0", "(III)I", (void *)open_socket},
		{"bindNetlink0", "(III)I", (void *)bind_netlink},
		{"connectNetlink0", "(II)I", (void *)connect_netlink},
		{"netlinkPortId0", "(I)J", (void *)netlink_port_id},
		{"setIntOption0", "(IIII)I", (void *)set_int_option},
		{"intOption0", "(III)I", (void *)int_option},
		{"send0", "(ILjava/nio/ByteBuffer;III)I", (void *)send_bytes},
		{"receive0", "(ILjava/nio/ByteBuffer;IIILjava/nio/ByteBuffer;)I", (void *)receive_bytes},
		{"poll0", "(IIII)I", (void *)poll_three},
		{"pollThenReceive0", "(IIIILjava/nio/ByteBuffer;IIILjava/nio/ByteBuffer;)J",
		 (void *)poll_then_receive},
		{"eventfd0", "(I)I", (void *)new_eventfd},
		{"writeCounter0", "(IJ)I", (void *)write_counter},
		{"readCounter0", "(I)I", (void *)read_counter},
		{"mptcpFullInfo0", "(ILjava/nio/ByteBuffer;II)I", (void *)mptcp_full_info},
		{"channelDescriptor0", "(Ljava/lang/Object;)I", (void *)channel_descriptor},
		{"effectiveUid0", "()I", (void *)effective_uid},
		{"processId0", "()I", (void *)process_id},
		{"setScheduler0", "(III)I", (void *)set_scheduler},
		{"setAffinity0", "(I[J)I", (void *)set_affinity},
		{"affinity0", "(I[J)I", (void *)get_affinity},
		{"attachFilter0", "(I[J)I", (void *)attach_filter},
		{"socketPair0", "(III)J", (void *)socket_pair},
		{"pollEvents0", "(III)I", (void *)poll_events},
		{"bindUnix0", "(I[B)I", (void *)bind_unix},
		{"sendToUnix0", "(I[BLjava/nio/ByteBuffer;III)I", (void *)send_to_unix},
	};
	return m4j_register(env, "org/mptcp4j/natives/NativeLinuxCalls", methods,
			    M4J_ARRAY_LEN(methods));
}
