package dev.clipengine.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * PyTorch's own files ({@code .pt}, {@code .pth}, {@code .bin}, {@code .ckpt}) are Python pickles,
 * which run code while they are read. They are recognised, by name or by their first bytes, and
 * refused with a line that says how to convert one.
 */
public final class PickledFiles {

    /** Why, and how to convert: safetensors holds only numbers. */
    public static final String REFUSAL = "a pickled PyTorch file, which can run code when it is read, so it is not "
            + "read; convert it to safetensors once with PyTorch and the safetensors package: python3 -c \"import "
            + "torch, safetensors.torch as st; m = torch.load('IN', map_location='cpu'); m = m.state_dict() if "
            + "hasattr(m, 'state_dict') else m.get('state_dict', m); st.save_file({k.removeprefix('module.'): "
            + "v.float().contiguous() for k, v in m.items()}, 'OUT.safetensors')\" (see docs/checkpoints.md)";

    private PickledFiles() {
    }

    /** Whether the file is, by its name or its first bytes, a pickle or PyTorch's zip of pickles. */
    public static boolean isPickled(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin") || name.endsWith(".ckpt")
                || name.endsWith(".pkl")) {
            return true;
        }
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            // a pickle opens with PROTO (0x80) and a protocol number; torch.save's default is a zip archive
            boolean pickle = head.length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5;
            boolean zip = head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
            return pickle || zip;
        } catch (IOException e) {
            return false;
        }
    }
}
