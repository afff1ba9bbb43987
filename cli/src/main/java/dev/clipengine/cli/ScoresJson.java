package dev.clipengine.cli;

import dev.clipengine.eval.Evaluation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An evaluation's scores as JSON, the one schema of the results file (train's held-out scores,
 * eval's), of the metrics file's validations and of train's last validation
 * (docs/formats.md): fractions in [0, 1], {@code null} where a score cannot be computed (no
 * classes, say), recalls keyed {@code "1"}, {@code "5"}, {@code "10"}.
 */
final class ScoresJson {

    private ScoresJson() {
    }

    /** The scores every report has. */
    static Map<String, Object> scores(Evaluation.Report r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("n_images", r.pairs());
        json.put("zero_shot_classes", r.classes() > 0 ? r.classes() : null);
        json.put("zero_shot_top1", finite(r.zeroShotTop1()));
        json.put("zero_shot_top5", finite(r.zeroShotTop5()));
        json.put("image_to_text_top1", finite(r.imageToTextRecall()[0]));
        json.put("text_to_image_top1", finite(r.textToImageRecall()[0]));
        json.put("image_to_text_recall", recalls(r.imageToTextRecall()));
        json.put("text_to_image_recall", recalls(r.textToImageRecall()));
        return json;
    }

    /** The scores with each class's top-1 and the confusion matrix, as eval writes them. */
    static Map<String, Object> detailed(Evaluation.Report r, List<String> classNames) {
        Map<String, Object> json = scores(r);
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int c = 0; c < r.classes(); c++) {
            perClass.put(classNames.get(c), finite(r.perClassTop1()[c]));
        }
        json.put("per_class_top1", perClass);
        json.put("confusion", r.confusion());
        return json;
    }

    private static Map<String, Object> recalls(double[] values) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int k = 0; k < Evaluation.RECALL_AT.length; k++) {
            map.put(Integer.toString(Evaluation.RECALL_AT[k]), finite(values[k]));
        }
        return map;
    }

    static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
