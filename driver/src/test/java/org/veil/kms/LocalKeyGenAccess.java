package org.veil.kms;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Map;

/** Test access to {@link LocalKeyGen} and to a keystore's key bytes, to scan for them. */
public final class LocalKeyGenAccess {
  private LocalKeyGenAccess() {}

  public static String create(Path keystore, String password) throws Exception {
    return LocalKeyGen.run(new String[] {"--pkcs12", keystore.toString()},
        Map.of(KeyProviderSettings.PASSWORD_ENV, password)::get, null, new SecureRandom());
  }

  public static byte[] masterKey(Path keystore, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(new ByteArrayInputStream(Files.readAllBytes(keystore)), password.toCharArray());
    return store.getKey("veil-master", password.toCharArray()).getEncoded();
  }
}
