/** TF.js on its CPU backend, in production mode: the oracles' float32 arithmetic, the same on every machine. */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";

export async function useTfjsCpu(): Promise<void> {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
  await tf.ready();
  expect(tf.getBackend()).toBe("cpu");
}
