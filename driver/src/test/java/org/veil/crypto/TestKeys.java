package org.veil.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys held in memory for the codec's own tests: a branch key that {@link #rotate()} replaces, a
 * deterministic key, and direct row keys wrapped with AES-GCM under a random master key. Counts
 * the calls a key provider would answer. Stands in for the key ring, the codec's collaborator.
 */
final class TestKeys implements CellKeys, DirectKeys {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<KeyId, BranchKey> keys = new ConcurrentHashMap<>();
  private volatile BranchKey active;
  private volatile BranchKey deterministic;
  private SecretKeySpec master = new SecretKeySpec(random(32), "AES");
  final AtomicInteger generated = new AtomicInteger();
  final AtomicInteger unwrapped = new AtomicInteger();
  volatile boolean down;

  private TestKeys() {}

  /** A fresh branch key and deterministic key. */
  static TestKeys random() {
    TestKeys k = new TestKeys();
    k.rotate();
    k.add(BranchKey.of(KeyId.random(RANDOM), KeyPurpose.DETERMINISTIC, random(32)));
    return k;
  }

  /** Exactly {@code held}: the last branch key is active, the last deterministic one too. */
  static TestKeys holding(BranchKey... held) {
    TestKeys k = new TestKeys();
    for (BranchKey key : held) {
      k.add(key);
    }
    return k;
  }

  /** The same keys and master key: another process of the same configuration, cold. */
  TestKeys sharingKeys() {
    TestKeys k = new TestKeys();
    k.keys.putAll(keys);
    k.active = active;
    k.deterministic = deterministic;
    k.master = master;
    return k;
  }

  void add(BranchKey key) {
    keys.put(key.id(), key);
    if (key.purpose() == KeyPurpose.BRANCH) {
      active = key;
    } else {
      deterministic = key;
    }
  }

  /** Replaces the active branch key with a new one; the old one still opens its cells. */
  BranchKey rotate() {
    BranchKey key = BranchKey.of(KeyId.random(RANDOM), KeyPurpose.BRANCH, random(32));
    add(key);
    return key;
  }

  BranchKey active() {
    return active;
  }

  @Override
  public BranchKey branchKeyForRow() throws KeyUnavailableException {
    checkUp(active.id());
    return active;
  }

  @Override
  public BranchKey deterministicKey() throws KeyUnavailableException {
    checkUp(deterministic.id());
    return deterministic;
  }

  @Override
  public BranchKey key(KeyId id) throws KeyUnavailableException {
    checkUp(id);
    BranchKey key = keys.get(id);
    if (key == null) {
      throw new KeyNotFoundException(id.toString(), "key " + id + " is not in the key store");
    }
    return key;
  }

  @Override
  public DirectKey generate(KeyId id) throws KeyUnavailableException {
    checkUp(id);
    generated.incrementAndGet();
    byte[] key = random(32);
    return new DirectKey(key, gcm(Cipher.ENCRYPT_MODE, id, key));
  }

  @Override
  public byte[] unwrap(KeyId id, byte[] blob) throws KeyUnavailableException {
    checkUp(id);
    unwrapped.incrementAndGet();
    return gcm(Cipher.DECRYPT_MODE, id, blob);
  }

  /** Encrypts to random IV + ciphertext, or decrypts that; the key id is the associated data. */
  private byte[] gcm(int mode, KeyId id, byte[] in) throws KeyUnavailableException {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      if (mode == Cipher.ENCRYPT_MODE) {
        byte[] iv = random(12);
        c.init(mode, master, new GCMParameterSpec(128, iv));
        c.updateAAD(id.toBytes());
        byte[] sealed = c.doFinal(in);
        byte[] blob = java.util.Arrays.copyOf(iv, 12 + sealed.length);
        System.arraycopy(sealed, 0, blob, 12, sealed.length);
        return blob;
      }
      c.init(mode, master, new GCMParameterSpec(128, in, 0, 12));
      c.updateAAD(id.toBytes());
      return c.doFinal(in, 12, in.length - 12);
    } catch (GeneralSecurityException e) {
      throw new KeyUnavailableException(id.toString(), "the blob does not open", e);
    }
  }

  private void checkUp(KeyId id) throws KeyUnavailableException {
    if (down) {
      throw new KeyUnavailableException(id.toString(), "key provider test is unavailable", null);
    }
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
