package org.veil.kms;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Function;
import javax.crypto.spec.SecretKeySpec;

/**
 * Creates a local master key: {@code java -cp veil-driver.jar org.veil.kms.LocalKeyGen
 * [--pkcs12] [--alias NAME] PATH}.
 *
 * <p>Without {@code --pkcs12} it writes 32 random bytes; with it, a PKCS12 keystore holding one
 * AES-256 secret key under {@code NAME} (default {@code veil-master}), protected by the password in
 * the {@code VEIL_KEYSTORE_PASSWORD} environment variable or typed at the console. The file is
 * created with mode 0600 and never overwritten. Prints the master key id, never the key.
 *
 * <p>From code, {@link #createKeyFile(Path)} does what the command does without {@code --pkcs12}
 * (docs/KEYS.md). Stateless and thread-safe.
 */
public final class LocalKeyGen {

  private LocalKeyGen() {}

  /**
   * Creates a local master key file: 32 random bytes from {@link SecureRandom}, mode 0600 where
   * the file system has POSIX permissions, for {@code veil.kms=local} and
   * {@code veil.kms.keystore=path}. The same as {@code LocalKeyGen path} on the command line.
   *
   * @param path the file to create, not null; its directory must exist
   * @return the master key id ({@code local:} and a key check value), never the key
   * @throws java.nio.file.FileAlreadyExistsException when {@code path} exists: a key file is
   *     never overwritten
   * @throws IOException when the file cannot be written
   */
  public static String createKeyFile(Path path) throws IOException {
    try {
      return create(path, false, "veil-master", name -> null, null, new SecureRandom());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a raw key file needs no keystore", e);
    }
  }

  public static void main(String[] args) {
    try {
      String id = run(args, System::getenv, System.console(), new SecureRandom());
      System.out.println("created master key " + id);
    } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
      PrintStream err = System.err;
      err.println("LocalKeyGen: " + e.getMessage());
      err.println("usage: java -cp veil-driver.jar org.veil.kms.LocalKeyGen [--pkcs12]"
          + " [--alias NAME] PATH");
      System.exit(2);
    }
  }

  /** Creates the key file; returns its master key id. */
  static String run(String[] args, Function<String, String> env, Console console,
      SecureRandom random) throws IOException, GeneralSecurityException {
    boolean pkcs12 = false;
    String alias = "veil-master";
    Path path = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pkcs12":
          pkcs12 = true;
          break;
        case "--alias":
          if (++i == args.length) {
            throw new IllegalArgumentException("--alias needs a name");
          }
          alias = args[i];
          break;
        default:
          if (path != null || args[i].startsWith("--")) {
            throw new IllegalArgumentException("unexpected argument " + args[i]);
          }
          path = Path.of(args[i]);
      }
    }
    if (path == null) {
      throw new IllegalArgumentException("name the file to create");
    }
    return create(path, pkcs12, alias, env, console, random);
  }

  private static String create(Path path, boolean pkcs12, String alias,
      Function<String, String> env, Console console, SecureRandom random)
      throws IOException, GeneralSecurityException {
    byte[] key = new byte[LocalKeyProvider.KEY_BYTES];
    random.nextBytes(key);
    try {
      byte[] content = key;
      if (pkcs12) {
        char[] password = password(env, console);
        try {
          KeyStore store = KeyStore.getInstance("PKCS12");
          store.load(null, null);
          store.setEntry(alias, new KeyStore.SecretKeyEntry(new SecretKeySpec(key, "AES")),
              new KeyStore.PasswordProtection(password));
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          store.store(out, password);
          content = out.toByteArray();
        } finally {
          Arrays.fill(password, '\0');
        }
      }
      writePrivate(path, content);
      return "local:" + LocalKeyProvider.keyCheckValue(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static char[] password(Function<String, String> env, Console console) {
    String fromEnv = env.apply(KeyProviderSettings.PASSWORD_ENV);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv.toCharArray();
    }
    if (console == null) {
      throw new IllegalArgumentException("set " + KeyProviderSettings.PASSWORD_ENV
          + " or run at a console to give the keystore password");
    }
    char[] first = console.readPassword("keystore password: ");
    char[] second = console.readPassword("again: ");
    if (first == null || first.length == 0 || !Arrays.equals(first, second)) {
      throw new IllegalArgumentException("the passwords are empty or differ");
    }
    Arrays.fill(second, '\0');
    return first;
  }

  private static void writePrivate(Path path, byte[] content) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] attrs = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    try (SeekableByteChannel channel = Files.newByteChannel(path,
        java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
    if (posix) {
      // The umask may have narrowed, never widened, the mode; set it exactly.
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    }
  }
}
