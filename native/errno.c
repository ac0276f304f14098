/* errno names and texts for org.mptcp4j.protocol.Errno (error paths only). */
#define _GNU_SOURCE
#include "jni_support.h"

#include <string.h>

static jstring errno_name(JNIEnv *env, jclass cls, jint err)
{
	(void)cls;
	return (*env)->NewStringUTF(env, m4j_errno_name(err));
}

static jstring errno_describe(JNIEnv *env, jclass cls, jint err)
{
	(void)cls;
	char text[128];
	return (*env)->NewStringUTF(env, strerror_r(err, text, sizeof(text)));
}

int m4j_register_errno(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"errnoName", "(I)Ljava/lang/String;", (void *)errno_name},
		{"errnoText", "(I)Ljava/lang/String;", (void *)errno_describe},
	};
	return m4j_register(env, "org/mptcp4j/protocol/Errno", methods, M4J_ARRAY_LEN(methods));
}
