// The PlatformKeyStore of iOS: P-256 keys in the Secure Enclave.
//
// Signing keys are Secure Enclave P-256 keys (the enclave holds only P-256,
// which is why the core's device suite defaults to it; Ed25519 and SM2 (国密)
// are refused with `KeyStoreFailure.UnsupportedSuite`, which the app sees as
// `NotAllowed` with code `unsupported_suite` — the platform may still sign
// credentials with SM2 while the phone key is P-256): the private key never
// leaves the enclave, `sign` returns the DER ECDSA signature the core
// normalises, and the public key is handed out as an X9.63 point. Wrapping
// uses ECIES against a second enclave key
// (`.eciesEncryptionCofactorVariableIVX963SHA256AESGCM`): an ephemeral
// key agreement with the enclave key derives the AES-GCM key, so the
// database key can only be unwrapped on this device, by this app.
//
// On the simulator (no enclave) the same code keeps the keys in the keychain
// instead. The core calls every method on a background thread and may wait
// on a biometric prompt if the access control asks for one.
import Foundation
import Security
#if canImport(CryptoKit)
import CryptoKit
#endif

public final class SecureEnclaveKeyStore: PlatformKeyStore, @unchecked Sendable {
    private let tagPrefix: String
    private let accessControlFlags: SecAccessControlCreateFlags

    /// - Parameters:
    ///   - tagPrefix: keychain application-tag prefix of this app's keys.
    ///   - requireUserPresence: ask for Face ID / Touch ID / passcode on every
    ///     signature (off by default: a code must appear at a gate at once).
    public init(tagPrefix: String = "cn.ecard.keys", requireUserPresence: Bool = false) {
        self.tagPrefix = tagPrefix
        self.accessControlFlags = requireUserPresence ? [.privateKeyUsage, .userPresence] : [.privateKeyUsage]
    }

    private static var enclaveAvailable: Bool {
        #if targetEnvironment(simulator)
        return false
        #else
        if #available(iOS 13.0, macOS 10.15, *) { return SecureEnclave.isAvailable }
        return false
        #endif
    }

    private func tag(_ alias: String, _ kind: String) -> Data {
        "\(tagPrefix).\(kind).\(alias)".data(using: .utf8)!
    }

    private func failure(_ error: Unmanaged<CFError>?, _ what: String) -> KeyStoreFailure {
        guard let error = error?.takeRetainedValue() else { return .Backend(reason: what) }
        let code = CFErrorGetCode(error)
        if code == Int(errSecUserCanceled) || code == -2 /* LAError.userCancel */ {
            return .UserCancelled
        }
        if code == Int(errSecInteractionNotAllowed) {
            // The phone is locked (e.g. a background start before the first unlock); the keys are there.
            return .Locked
        }
        return .Backend(reason: "\(what): \(error)")
    }

    private func createKey(tag: Data) throws -> SecKey {
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, accessControlFlags, &error
        ) else { throw failure(error, "access control") }
        var privateAttributes: [String: Any] = [
            kSecAttrIsPermanent as String: true,
            kSecAttrApplicationTag as String: tag,
        ]
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
        ]
        if Self.enclaveAvailable {
            attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
            privateAttributes[kSecAttrAccessControl as String] = access
        } else {
            privateAttributes[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        }
        attributes[kSecPrivateKeyAttrs as String] = privateAttributes
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw failure(error, "key generation")
        }
        return key
    }

    /// The key under `tag`; nil only when the keychain says there is none
    /// (a locked keychain is `.Locked`, never "no key": the core deletes the
    /// local data when the wrapping key is not found).
    private func findKey(tag: Data) throws -> SecKey? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let item else { return nil }
            return (item as! SecKey)
        case errSecItemNotFound:
            return nil
        case errSecInteractionNotAllowed:
            throw KeyStoreFailure.Locked
        default:
            throw KeyStoreFailure.Backend(reason: "keychain lookup: \(status)")
        }
    }

    private func deleteKey(tag: Data) {
        let query: [String: Any] = [kSecClass as String: kSecClassKey, kSecAttrApplicationTag as String: tag]
        SecItemDelete(query as CFDictionary)
    }

    private func publicBytes(_ key: SecKey) throws -> Data {
        var error: Unmanaged<CFError>?
        guard let publicKey = SecKeyCopyPublicKey(key),
              let bytes = SecKeyCopyExternalRepresentation(publicKey, &error) as Data?
        else { throw failure(error, "public key") }
        return bytes // X9.63 uncompressed point: 0x04 || X || Y
    }

    // MARK: PlatformKeyStore

    public func generateKey(alias: String, suite: Suite) throws -> Data {
        switch suite {
        case .ecdsaP256:
            break
        case .ed25519, .sm2:
            throw KeyStoreFailure.UnsupportedSuite
        }
        let signingTag = tag(alias, "sign")
        deleteKey(tag: signingTag)
        return try publicBytes(createKey(tag: signingTag))
    }

    public func publicKey(alias: String) throws -> Data {
        guard let key = try findKey(tag: tag(alias, "sign")) else { throw KeyStoreFailure.NotFound(alias: alias) }
        return try publicBytes(key)
    }

    public func sign(alias: String, message: Data) throws -> Data {
        guard let key = try findKey(tag: tag(alias, "sign")) else { throw KeyStoreFailure.NotFound(alias: alias) }
        var error: Unmanaged<CFError>?
        guard let signature = SecKeyCreateSignature(key, .ecdsaSignatureMessageX962SHA256, message as CFData, &error) as Data? else {
            throw failure(error, "signing")
        }
        return signature // DER; the core normalises it to r || s
    }

    public func deleteKey(alias: String) throws {
        deleteKey(tag: tag(alias, "sign"))
    }

    public func wrap(alias: String, secret: Data) throws -> Data {
        let wrappingTag = tag(alias, "wrap")
        let key = try findKey(tag: wrappingTag) ?? createKey(tag: wrappingTag)
        var error: Unmanaged<CFError>?
        guard let publicKey = SecKeyCopyPublicKey(key),
              let wrapped = SecKeyCreateEncryptedData(
                publicKey, .eciesEncryptionCofactorVariableIVX963SHA256AESGCM, secret as CFData, &error
              ) as Data?
        else { throw failure(error, "wrapping") }
        return wrapped
    }

    public func unwrap(alias: String, wrapped: Data) throws -> Data {
        guard let key = try findKey(tag: tag(alias, "wrap")) else { throw KeyStoreFailure.NotFound(alias: alias) }
        var error: Unmanaged<CFError>?
        guard let secret = SecKeyCreateDecryptedData(
            key, .eciesEncryptionCofactorVariableIVX963SHA256AESGCM, wrapped as CFData, &error
        ) as Data? else { throw failure(error, "unwrapping") }
        return secret
    }
}
