// The Android side of ecard: the library module (AAR) wrapping the Rust
// core and its generated Kotlin, and a thin Jetpack Compose app.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "ecard-android"
include(":ecard", ":app")
