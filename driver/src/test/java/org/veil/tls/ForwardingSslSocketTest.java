package org.veil.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * {@link ForwardingSslSocket} must forward every call a caller can make on a socket: a method it
 * does not override would act on the unconnected {@code SSLSocket} it extends, not on the
 * verified socket underneath.
 */
class ForwardingSslSocketTest {

  @Test
  void everyOverridableMethodOfSslSocketAndSocketIsForwarded() {
    List<String> missing = new ArrayList<>();
    for (Class<?> type : List.of(SSLSocket.class, Socket.class)) {
      for (Method m : type.getDeclaredMethods()) {
        int mod = m.getModifiers();
        if (!Modifier.isPublic(mod) || Modifier.isStatic(mod) || Modifier.isFinal(mod)
            || m.isSynthetic()) {
          continue;
        }
        try {
          Method own = ForwardingSslSocket.class.getDeclaredMethod(m.getName(),
              m.getParameterTypes());
          assertThat(own.getDeclaringClass()).isEqualTo(ForwardingSslSocket.class);
        } catch (NoSuchMethodException e) {
          missing.add(type.getSimpleName() + "." + m.getName()
              + Arrays.toString(m.getParameterTypes()));
        }
      }
    }
    assertThat(missing).as("methods ForwardingSslSocket does not forward").isEmpty();
  }
}
