// The PlatformLogger of Android: the core's log lines, already masked by
// the library, into logcat under the tag "ecard".
package cn.ecard.android

import android.util.Log
import cn.ecard.ffi.LogLevel
import cn.ecard.ffi.PlatformLogger
import cn.ecard.ffi.setLogger

class LogcatLogger(private val tag: String = "ecard") : PlatformLogger {
    override fun log(level: LogLevel, target: String, message: String) {
        val text = "$target: $message"
        when (level) {
            LogLevel.ERROR -> Log.e(tag, text)
            LogLevel.WARN -> Log.w(tag, text)
            LogLevel.INFO -> Log.i(tag, text)
            LogLevel.DEBUG, LogLevel.TRACE -> Log.d(tag, text)
        }
    }

    companion object {
        /** Routes the library's log lines to logcat (call once, e.g. in Application.onCreate). */
        fun install(maxLevel: LogLevel = LogLevel.INFO) = setLogger(LogcatLogger(), maxLevel)
    }
}
