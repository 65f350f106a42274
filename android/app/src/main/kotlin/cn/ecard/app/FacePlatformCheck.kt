// The app's face check (活体检测 and comparison with the photo on record):
// the face platform's SDK behind the library's FaceCheck trait. The core
// calls it on a library thread, never the main one, and waits while the
// SDK shows its capture screen; the SDK's signed result goes back as it came.
package cn.ecard.app

import cn.ecard.ffi.FaceCheck
import cn.ecard.ffi.FaceCheckFailure
import cn.ecard.ffi.FaceCheckRequest

/**
 * The face platform's SDK as this build has it: `capture` runs a capture
 * for the request (its challenge and device binding go to the SDK, its
 * `nameMasked` onto the capture screen) and returns the signed result,
 * throwing [FaceCheckFailure.Cancelled] when the person closes it. A build
 * without the SDK reports the face check unavailable, so the core tells the
 * person to try later or go to an outlet.
 */
class FacePlatformCheck(private val capture: ((FaceCheckRequest) -> String)? = null) : FaceCheck {
    override fun check(request: FaceCheckRequest): String {
        val sdk = capture ?: throw FaceCheckFailure.Unavailable("no face platform SDK in this build")
        return sdk(request)
    }
}
