package dev.clipengine.training;

import dev.clipengine.model.ClipGraph;

import java.io.PrintWriter;

/**
 * What a data-parallel engine needs to compute a trainer's steps on a cluster.
 *
 * @param master     where the workers are, in the cluster manager's own terms (e.g. {@code local[2]})
 * @param partitions how many shares each global batch is cut into, one task each
 * @param graph      the trainer's graph: its model holds the weights, its gradients receive the sums
 * @param pairs      how workers read the training pairs
 * @param trainPairs how many training pairs the trainer has, which the workers' must match
 * @param backend    the compute backend workers run on (a name {@code Backends} knows)
 * @param log        where the engine tells what it does (one line at start and end)
 */
public record DistributedTraining(String master, int partitions, ClipGraph graph, TrainingOptions options,
                                  PairsSource pairs, int trainPairs, String backend, PrintWriter log) {
}
