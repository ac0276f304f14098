/* The libnl version for org.mptcp4j.natives.NativeLibrary. */
#include "jni_support.h"

#include <netlink/version.h>

static jstring libnl_version(JNIEnv *env, jclass cls)
{
	(void)cls;
	return (*env)->NewStringUTF(env, LIBNL_STRING);
}

int m4j_register_native_library(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"libnlVersion", "()Ljava/lang/String;", (void *)libnl_version},
	};
	return m4j_register(env, "org/mptcp4j/natives/NativeLibrary", methods,
			    M4J_ARRAY_LEN(methods));
}
