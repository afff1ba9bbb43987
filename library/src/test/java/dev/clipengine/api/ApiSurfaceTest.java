package dev.clipengine.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule that keeps the engine's internals internal: this artifact holds the one package
 * dev.clipengine.api, and everything its public types show (supertypes, fields, constructors,
 * methods, their parameters, results, exceptions and type arguments) is of that package or of the
 * JDK. A user's program compiled against the API can then never come to depend on an engine class.
 */
class ApiSurfaceTest {

    private static final String API = "dev.clipengine.api";

    @Test
    void theArtifactHoldsOnlyTheApiPackage() throws IOException {
        TreeSet<String> packages = new TreeSet<>();
        Path classes = classesDirectory();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(f ->
                    packages.add(classes.relativize(f.getParent()).toString().replace(f.getFileSystem()
                            .getSeparator(), ".")));
        }
        assertEquals(List.of(API), List.copyOf(packages));
    }

    @Test
    void publicSignaturesMentionOnlyApiAndJdkTypes() throws IOException, ClassNotFoundException {
        List<String> leaks = new ArrayList<>();
        List<Class<?>> published = publicTypes();
        assertTrue(published.contains(ClipEngine.class), "found the public types: " + published);
        for (Class<?> type : published) {
            check(type + " extends", type.getGenericSuperclass(), leaks);
            for (Type implemented : type.getGenericInterfaces()) {
                check(type + " implements", implemented, leaks);
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field.getModifiers())) {
                    check(field.toString(), field.getGenericType(), leaks);
                }
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                checkExecutable(constructor, leaks);
            }
            for (Method method : type.getDeclaredMethods()) {
                if (!method.isSynthetic()) {
                    checkExecutable(method, leaks);
                }
            }
        }
        assertEquals(List.of(), leaks, "types outside the API and the JDK in public signatures");
    }

    @Test
    void theCheckSeesALeak() {
        // the check itself: a signature naming an engine type is reported
        List<String> leaks = new ArrayList<>();
        check("example", dev.clipengine.model.ClipModel.class, leaks);
        check("example", List.class, leaks);
        assertEquals(1, leaks.size(), leaks.toString());
    }

    private static void checkExecutable(Executable executable, List<String> leaks) {
        if (!visible(executable.getModifiers())) {
            return;
        }
        String where = executable.toString();
        for (Type parameter : executable.getGenericParameterTypes()) {
            check(where, parameter, leaks);
        }
        for (Type thrown : executable.getGenericExceptionTypes()) {
            check(where, thrown, leaks);
        }
        if (executable instanceof Method method) {
            check(where, method.getGenericReturnType(), leaks);
        }
    }

    private static void check(String where, Type type, List<String> leaks) {
        switch (type) {
            case null -> { }
            case Class<?> c when c.isArray() -> check(where, c.getComponentType(), leaks);
            case Class<?> c when c.isPrimitive() -> { }
            case Class<?> c -> {
                String name = c.getPackageName();
                if (!name.equals(API) && !name.startsWith("java.") && !name.startsWith("javax.")) {
                    leaks.add(where + ": " + c.getName());
                }
            }
            case ParameterizedType p -> {
                check(where, p.getRawType(), leaks);
                for (Type argument : p.getActualTypeArguments()) {
                    check(where, argument, leaks);
                }
            }
            case GenericArrayType a -> check(where, a.getGenericComponentType(), leaks);
            case WildcardType w -> {
                Stream.of(w.getUpperBounds()).forEach(b -> check(where, b, leaks));
                Stream.of(w.getLowerBounds()).forEach(b -> check(where, b, leaks));
            }
            case TypeVariable<?> v -> Stream.of(v.getBounds()).forEach(b -> check(where, b, leaks));
            default -> leaks.add(where + ": an unknown kind of type " + type);
        }
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static List<Class<?>> publicTypes() throws IOException, ClassNotFoundException {
        List<Class<?>> types = new ArrayList<>();
        Path classes = classesDirectory();
        List<Path> files;
        try (Stream<Path> listing = Files.walk(classes)) {
            files = listing.filter(f -> f.toString().endsWith(".class")).sorted().toList();
        }
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                    .replaceAll("\\.class$", "");
            if (name.endsWith("package-info")) {
                continue;
            }
            Class<?> type = Class.forName(name, false, ApiSurfaceTest.class.getClassLoader());
            // a nested type is public only if its enclosing types are too
            boolean exposed = true;
            for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
                exposed &= Modifier.isPublic(c.getModifiers());
            }
            if (exposed) {
                types.add(type);
            }
        }
        return types;
    }

    /** The module's compiled main classes: where ClipEngine.class was loaded from. */
    private static Path classesDirectory() {
        try {
            return Path.of(ClipEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
