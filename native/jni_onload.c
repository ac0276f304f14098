/*
 * Binds the native methods of every class with natives when the JVM loads the library.
 */
#include "jni_support.h"

__attribute__((visibility("default"))) jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
	(void)reserved;
	JNIEnv *env;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;
	if (m4j_register_native_library(env) != 0 ||
	    m4j_register_record_layouts(env) != 0 ||
	    m4j_register_event_decoder(env) != 0 ||
	    m4j_register_native_linux_calls(env) != 0)
		return JNI_ERR;
	return JNI_VERSION_1_8;
}
