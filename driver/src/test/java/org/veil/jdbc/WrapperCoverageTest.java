package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.veil.config.VeilConfig;
import org.veil.error.VeilException;

/**
 * Every JDBC method of every Veil wrapper, called against a stand-in for pgjdbc's objects:
 * each must reach the same method of the wrapped object, and every JDBC object it returns must
 * be a Veil wrapper, so no path leads an application around Veil.
 */
class WrapperCoverageTest {

  private static final Set<Class<?>> WRAPPED_TYPES = Set.of(Connection.class, Statement.class,
      PreparedStatement.class, CallableStatement.class, ResultSet.class, DatabaseMetaData.class);

  /** Methods that answer from the wrapper by design instead of asking the wrapped object. */
  private static final Set<String> ANSWERED_BY_WRAPPER =
      Set.of("getConnection", "getStatement", "unwrap", "isWrapperFor");

  /** A stand-in that records the calls it gets and returns stand-ins for JDBC interfaces. */
  static final class Recorder {
    final List<String> calls = new ArrayList<>();

    <T> T standIn(Class<T> type) {
      return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
          (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
              return switch (method.getName()) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "stand-in " + type.getSimpleName();
              };
            }
            calls.add(signature(method));
            Class<?> returns = method.getReturnType();
            if (returns.isInterface() && returns.getName().startsWith("java.sql.")) {
              return standIn(returns);
            }
            return defaultValue(returns);
          }));
    }
  }

  record Case(Class<?> iface, Method method) {
    @Override
    public String toString() {
      return iface.getSimpleName() + "." + signature(method);
    }
  }

  static Stream<Case> cases() {
    return Stream.of(Connection.class, Statement.class, PreparedStatement.class,
        CallableStatement.class, ResultSet.class, DatabaseMetaData.class)
        .flatMap(iface -> Stream.of(iface.getMethods())
            .filter(m -> !Modifier.isStatic(m.getModifiers()))
            .map(m -> new Case(iface, m)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void methodReachesTheWrappedObjectAndReturnsOnlyVeilWrappers(Case c) throws Exception {
    Recorder recorder = new Recorder();
    Object wrapper = wrapperFor(c.iface(), recorder);
    Object result;
    try {
      result = c.method().invoke(wrapper, arguments(c.method()));
    } catch (InvocationTargetException e) {
      throw new AssertionError(c + " threw " + e.getCause(), e.getCause());
    }
    if (!ANSWERED_BY_WRAPPER.contains(c.method().getName())) {
      assertThat(recorder.calls).as("calls reaching the wrapped object")
          .contains(signature(c.method()));
    }
    if (WRAPPED_TYPES.contains(c.method().getReturnType()) && result != null) {
      assertThat(Proxy.isProxyClass(result.getClass())).as(c + " returned pgjdbc's object")
          .isFalse();
      assertThat(result.getClass().getPackageName()).isEqualTo("org.veil.jdbc");
    }
  }

  private static Object wrapperFor(Class<?> iface, Recorder recorder) throws SQLException, VeilException {
    VeilConnection connection = new VeilConnection(recorder.standIn(Connection.class),
        new VeilRuntime(VeilConfig.from(new Properties(), name -> null),
            org.veil.keys.KeyStoreConnections.of(() -> null)));
    if (iface == Connection.class) {
      return connection;
    }
    if (iface == Statement.class) {
      return new VeilStatement<>(recorder.standIn(Statement.class), connection);
    }
    if (iface == PreparedStatement.class) {
      return new VeilPreparedStatement<>(recorder.standIn(PreparedStatement.class), connection,
          org.veil.sql.StatementPlan.PLAIN);
    }
    if (iface == CallableStatement.class) {
      return new VeilCallableStatement(recorder.standIn(CallableStatement.class), connection,
          org.veil.sql.StatementPlan.PLAIN, "{call f(?)}");
    }
    if (iface == ResultSet.class) {
      return new VeilResultSet(recorder.standIn(ResultSet.class),
          new VeilStatement<>(recorder.standIn(Statement.class), connection),
          connection.runtime());
    }
    return new VeilDatabaseMetaData(recorder.standIn(DatabaseMetaData.class), connection);
  }

  private static Object[] arguments(Method method) {
    Class<?>[] types = method.getParameterTypes();
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == String.class) {
        args[i] = "x";
      } else if (t == Class.class) {
        args[i] = Integer.class;
      } else if (t == int[].class) {
        args[i] = new int[0];
      } else if (t == String[].class) {
        args[i] = new String[0];
      } else if (t == Map.class) {
        args[i] = Map.of();
      } else {
        args[i] = defaultValue(t);
      }
    }
    return args;
  }

  private static Object defaultValue(Class<?> type) {
    if (type == boolean.class) {
      return false;
    }
    if (type == int.class) {
      return 1;
    }
    if (type == long.class) {
      return 1L;
    }
    if (type == short.class) {
      return (short) 0;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == double.class) {
      return 0d;
    }
    return null;
  }

  private static String signature(Method m) {
    StringBuilder sb = new StringBuilder(m.getName()).append('(');
    for (Class<?> p : m.getParameterTypes()) {
      sb.append(p.getSimpleName()).append(',');
    }
    return sb.append(')').toString();
  }
}
