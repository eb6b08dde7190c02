package org.veil.jdbc;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes the {@code Forwarding*} classes of {@code org.veil.jdbc} from the {@code java.sql}
 * interfaces, so that the plain delegation of several hundred JDBC methods is generated once and
 * the hand-written Veil classes hold only what Veil adds.
 *
 * <p>{@link ForwardingSourcesTest} checks that the committed files equal what this produces;
 * run it with {@code -Dveil.regenerate=true} (or run this class's {@code main}) to rewrite them
 * after a change here.
 */
final class ForwardingSources {

  /**
   * One generated class: the interface it forwards, its superclass, its return hooks, and the
   * hook that named setters ({@code setX(String name, …)}) ask first, or null.
   */
  record Spec(Class<?> iface, String superclass, List<String> superParameters,
      Map<Class<?>, String> returnHooks, String namedSetterHook) {

    Spec(Class<?> iface, String superclass, List<String> superParameters,
        Map<Class<?>, String> returnHooks) {
      this(iface, superclass, superParameters, returnHooks, null);
    }

    String className() {
      return "Forwarding" + iface.getSimpleName();
    }

    boolean isRoot() {
      return superclass == null;
    }
  }

  static final List<Spec> SPECS = List.of(
      new Spec(Connection.class, null, List.of(), Map.of()),
      new Spec(Statement.class, null, List.of(), Map.of()),
      new Spec(PreparedStatement.class, "VeilStatement<D>",
          List.of("VeilConnection connection"), Map.of()),
      // Named setters bind by index when Veil knows the index, so that the value is sealed.
      new Spec(CallableStatement.class, "VeilPreparedStatement<D>",
          List.of("VeilConnection connection", "org.veil.sql.StatementPlan plan"), Map.of(),
          "namedParameter"),
      new Spec(ResultSet.class, null, List.of(), Map.of()),
      new Spec(java.sql.ResultSetMetaData.class, null, List.of(), Map.of()),
      // Metadata result sets are wrapped too, so that no path leads back to a pgjdbc object.
      new Spec(DatabaseMetaData.class, null, List.of(),
          Map.of(ResultSet.class, "wrapResultSet")));

  private ForwardingSources() {}

  /** Writes every forwarding class into the directory given as the only argument. */
  public static void main(String[] args) throws java.io.IOException {
    java.nio.file.Path dir = java.nio.file.Path.of(args[0]);
    for (Spec spec : SPECS) {
      java.nio.file.Files.writeString(dir.resolve(spec.className() + ".java"), generate(spec));
    }
  }

  static String generate(Spec spec) {
    TreeSet<String> imports = new TreeSet<>();
    imports.add("java.sql." + spec.iface().getSimpleName());
    imports.add("java.sql.SQLException");
    StringBuilder body = new StringBuilder();
    String name = spec.className();

    List<Method> methods = Arrays.stream(spec.iface().getDeclaredMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic())
        .sorted(Comparator.comparing(Method::getName)
            .thenComparing(m -> Arrays.toString(m.getParameterTypes())))
        .collect(Collectors.toList());

    if (spec.isRoot()) {
      imports.add("java.util.Objects");
      body.append("  /** The pgjdbc object that does the work. */\n")
          .append("  protected final D delegate;\n\n")
          .append("  ").append(name).append("(D delegate) {\n")
          .append("    this.delegate = Objects.requireNonNull(delegate, \"delegate\");\n")
          .append("  }\n");
      for (Map.Entry<Class<?>, String> hook : spec.returnHooks().entrySet()) {
        String type = typeName(hook.getKey(), imports);
        body.append("\n  /** Wraps a {@code ").append(type)
            .append("} before it reaches the application. */\n")
            .append("  protected abstract ").append(type).append(' ').append(hook.getValue())
            .append('(').append(type).append(" value) throws SQLException;\n");
      }
      body.append("\n  /**\n")
          .append("   * Answers for this wrapper first, then for the pgjdbc object. Unwrapping to a pgjdbc\n")
          .append("   * type gives that object itself: whatever is done through it bypasses Veil.\n")
          .append("   */\n")
          .append("  @Override\n")
          .append("  public <T> T unwrap(Class<T> iface) throws SQLException {\n")
          .append("    return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);\n")
          .append("  }\n\n")
          .append("  @Override\n")
          .append("  public boolean isWrapperFor(Class<?> iface) throws SQLException {\n")
          .append("    return iface.isInstance(this) || delegate.isWrapperFor(iface);\n")
          .append("  }\n");
    } else {
      StringJoiner declared = new StringJoiner(", ");
      StringJoiner passed = new StringJoiner(", ");
      declared.add("D delegate");
      passed.add("delegate");
      for (String parameter : spec.superParameters()) {
        String type = parameter.substring(0, parameter.lastIndexOf(' '));
        if (type.contains(".")) {
          imports.add(type);
          parameter = type.substring(type.lastIndexOf('.') + 1)
              + parameter.substring(parameter.lastIndexOf(' '));
        }
        declared.add(parameter);
        passed.add(parameter.substring(parameter.lastIndexOf(' ') + 1));
      }
      body.append("  ").append(name).append('(').append(declared).append(") {\n")
          .append("    super(").append(passed).append(");\n")
          .append("  }\n");
    }
    if (spec.namedSetterHook() != null) {
      body.append("\n  /**\n")
          .append("   * The index that named parameter {@code name} binds when Veil binds it by index (it\n")
          .append("   * seals the value), else 0: pgjdbc's named setter then takes it.\n")
          .append("   */\n")
          .append("  protected abstract int ").append(spec.namedSetterHook())
          .append("(String name) throws SQLException;\n");
    }

    boolean deprecations = false;
    for (Method m : methods) {
      body.append('\n');
      if (m.isAnnotationPresent(Deprecated.class)) {
        body.append("  @Deprecated\n");
        deprecations = true;
      }
      body.append("  @Override\n  public ");
      TypeVariable<Method>[] typeParameters = m.getTypeParameters();
      if (typeParameters.length > 0) {
        StringJoiner tp = new StringJoiner(", ", "<", "> ");
        for (TypeVariable<Method> t : typeParameters) {
          tp.add(t.getName());
        }
        body.append(tp);
      }
      String returnType = typeName(m.getGenericReturnType(), imports);
      body.append(returnType).append(' ').append(m.getName()).append('(');
      Type[] params = m.getGenericParameterTypes();
      StringJoiner declared = new StringJoiner(", ");
      StringJoiner passed = new StringJoiner(", ");
      for (int i = 0; i < params.length; i++) {
        String arg = "arg" + (i + 1);
        String type = m.isVarArgs() && i == params.length - 1
            ? typeName(((Class<?>) params[i]).getComponentType(), imports) + "..."
            : typeName(params[i], imports);
        declared.add(type + " " + arg);
        passed.add(arg);
      }
      body.append(declared).append(')');
      StringJoiner thrown = new StringJoiner(", ", " throws ", "");
      thrown.setEmptyValue("");
      for (Type ex : m.getGenericExceptionTypes()) {
        thrown.add(typeName(ex, imports));
      }
      body.append(thrown).append(" {\n    ");
      if (isNamedSetter(spec, m)) {
        String rest = passed.toString().substring("arg1".length());
        body.append("int index = ").append(spec.namedSetterHook()).append("(arg1);\n")
            .append("    if (index > 0) {\n")
            .append("      ").append(m.getName()).append("(index").append(rest).append(");\n")
            .append("    } else {\n")
            .append("      delegate.").append(m.getName()).append('(').append(passed)
            .append(");\n")
            .append("    }\n  }\n");
        continue;
      }
      String call = "delegate." + m.getName() + "(" + passed + ")";
      String hook = spec.returnHooks().get(m.getReturnType());
      if (hook != null) {
        call = hook + "(" + call + ")";
      }
      body.append(m.getReturnType() == void.class ? call : "return " + call).append(";\n  }\n");
    }

    StringBuilder out = new StringBuilder();
    out.append("// Generated by ForwardingSources from java.sql.")
        .append(spec.iface().getSimpleName())
        .append(". Do not edit: change the generator and run\n")
        .append("// mvn -pl driver test -Dtest=ForwardingSourcesTest -Dveil.regenerate=true\n")
        .append("package org.veil.jdbc;\n\n");
    for (String i : imports) {
      out.append("import ").append(i).append(";\n");
    }
    out.append("\n/**\n")
        .append(" * Forwards every {@link ").append(spec.iface().getSimpleName())
        .append("} method declared there to {@code delegate}, unchanged.\n");
    if (spec.namedSetterHook() != null) {
      out.append(" * A named setter binds by index instead when {@code ")
          .append(spec.namedSetterHook()).append("} gives one.\n");
    }
    out.append(" * Veil's behaviour lives in the hand-written subclasses.\n */\n");
    if (deprecations) {
      out.append("@SuppressWarnings(\"deprecation\")\n");
    }
    out.append("abstract class ").append(name).append("<D extends ")
        .append(spec.iface().getSimpleName()).append('>');
    if (!spec.isRoot()) {
      out.append(" extends ").append(spec.superclass());
    }
    out.append("\n    implements ").append(spec.iface().getSimpleName()).append(" {\n\n");
    out.append(body);
    out.append("}\n");
    return out.toString();
  }

  /** A {@code void setX(String name, …)} of an interface whose spec has a named-setter hook. */
  private static boolean isNamedSetter(Spec spec, Method m) {
    return spec.namedSetterHook() != null && m.getName().startsWith("set")
        && m.getReturnType() == void.class && m.getParameterCount() >= 2
        && m.getParameterTypes()[0] == String.class;
  }

  private static String typeName(Type type, TreeSet<String> imports) {
    if (type instanceof Class<?> c) {
      if (c.isArray()) {
        return typeName(c.getComponentType(), imports) + "[]";
      }
      if (c.isPrimitive()) {
        return c.getName();
      }
      Class<?> outer = c.getEnclosingClass();
      if (outer != null) {
        return typeName(outer, imports) + "." + c.getSimpleName();
      }
      if (!c.getPackageName().equals("java.lang")) {
        imports.add(c.getName());
      }
      return c.getSimpleName();
    }
    if (type instanceof ParameterizedType p) {
      StringJoiner args = new StringJoiner(", ", "<", ">");
      for (Type a : p.getActualTypeArguments()) {
        args.add(typeName(a, imports));
      }
      return typeName(p.getRawType(), imports) + args;
    }
    if (type instanceof WildcardType w) {
      if (w.getLowerBounds().length > 0) {
        return "? super " + typeName(w.getLowerBounds()[0], imports);
      }
      Type upper = w.getUpperBounds()[0];
      return upper == Object.class ? "?" : "? extends " + typeName(upper, imports);
    }
    if (type instanceof TypeVariable<?> v) {
      return v.getName();
    }
    if (type instanceof GenericArrayType g) {
      return typeName(g.getGenericComponentType(), imports) + "[]";
    }
    throw new IllegalArgumentException("unexpected type " + type);
  }
}
