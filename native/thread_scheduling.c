/*
 * Natives of org.mptcp4j.loop.ThreadScheduling: SCHED_FIFO and a CPU set for the calling
 * thread (an event loop's, as it starts), and the CPUs this process may run on. Pid 0 in
 * sched_setscheduler and sched_setaffinity is the calling thread, not the whole process. Each
 * returns 0 (or a count) or -errno: Java says what failed.
 *
 * CPU sets cross as long[]: CPU n is bit n % 64 of element n / 64, MASK_WORDS elements.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <unistd.h>

#include "jni_support.h"

/* ThreadScheduling.MAX_CPUS: the kernel's largest NR_CPUS. */
#define MAX_CPUS 8192
#define MASK_WORDS (MAX_CPUS / 64)

static jint set_fifo(JNIEnv *env, jclass cls, jint priority)
{
	(void)env;
	(void)cls;
	struct sched_param param = {.sched_priority = priority};
	return sched_setscheduler(0, SCHED_FIFO, &param) == 0 ? 0 : -errno;
}

/* A set of MAX_CPUS, or NULL; freed with CPU_FREE. */
static cpu_set_t *new_set(size_t *size)
{
	cpu_set_t *set = CPU_ALLOC(MAX_CPUS);
	if (set == NULL)
		return NULL;
	*size = CPU_ALLOC_SIZE(MAX_CPUS);
	CPU_ZERO_S(*size, set);
	return set;
}

static jint set_affinity(JNIEnv *env, jclass cls, jlongArray mask)
{
	(void)cls;
	jlong words[MASK_WORDS];
	if ((*env)->GetArrayLength(env, mask) != MASK_WORDS)
		return -EINVAL;
	(*env)->GetLongArrayRegion(env, mask, 0, MASK_WORDS, words);
	if ((*env)->ExceptionCheck(env))
		return -EINVAL;
	size_t size;
	cpu_set_t *set = new_set(&size);
	if (set == NULL)
		return -ENOMEM;
	for (size_t cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (((uint64_t)words[cpu / 64] >> (cpu % 64)) & 1)
			CPU_SET_S(cpu, size, set);
	}
	int result = sched_setaffinity(0, size, set) == 0 ? 0 : -errno;
	CPU_FREE(set);
	return result;
}

/* Fills mask with the CPUs of the process's main thread (what taskset, cpusets and CPUAffinity= left it); their count. */
static jint allowed_cpus(JNIEnv *env, jclass cls, jlongArray mask)
{
	(void)cls;
	if ((*env)->GetArrayLength(env, mask) != MASK_WORDS)
		return -EINVAL;
	size_t size;
	cpu_set_t *set = new_set(&size);
	if (set == NULL)
		return -ENOMEM;
	if (sched_getaffinity(getpid(), size, set) != 0) {
		int err = errno;
		CPU_FREE(set);
		return -err;
	}
	jlong words[MASK_WORDS] = {0};
	for (size_t cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (CPU_ISSET_S(cpu, size, set))
			words[cpu / 64] = (jlong)((uint64_t)words[cpu / 64] | (uint64_t)1 << (cpu % 64));
	}
	int count = CPU_COUNT_S(size, set);
	CPU_FREE(set);
	(*env)->SetLongArrayRegion(env, mask, 0, MASK_WORDS, words);
	return (*env)->ExceptionCheck(env) ? -EINVAL : count;
}

static const JNINativeMethod methods[] = {
	{"setFifo", "(I)I", (void *)set_fifo},
	{"setAffinity", "([J)I", (void *)set_affinity},
	{"allowedCpus", "([J)I", (void *)allowed_cpus},
};

int m4j_register_thread_scheduling(JNIEnv *env)
{
	return m4j_register(env, "org/mptcp4j/loop/ThreadScheduling", methods, M4J_ARRAY_LEN(methods));
}
