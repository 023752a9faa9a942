package io.github.ringloss4j.app.recordio;

import java.util.SplittableRandom;

/**
 * Paints a face ({@link FaceParameters}) in a pose ({@link Pose}) as float RGB planes in [0, 255].
 *
 * <p>Geometry is defined on a {@value #REFERENCE}-pixel reference square ("face coordinates") and
 * painted at any side by mapping every output pixel centre back into it: the output pixel is scaled
 * to the reference, the pose's rotation and scale about the nominal face centre (56, 60) are
 * undone, then its horizontal squeeze (a piecewise-linear map of x that keeps the face's outline
 * and moves its middle sideways). Every shape is evaluated there with soft edges of about 1.5
 * output pixels, so a small side is drawn, not downsampled. At the reference side in the neutral
 * pose the mapping is the identity and the arithmetic is that of the first version of the
 * generator, whose images are kept byte for byte.
 */
final class FacePainter {

  /** The side the face coordinates are defined at. */
  static final int REFERENCE = 112;

  private static final float CENTRE_X = 56;
  private static final float CENTRE_Y = 60;
  private static final float[] WHITE = {235, 235, 230};
  private static final float[] LIGHT_SKIN = {240, 200, 170};
  private static final float[] DARK_SKIN = {110, 70, 50};
  private static final float[] MOUTH_INSIDE = {45, 20, 25};

  /** No occluder, a bar across the face, or glasses. */
  enum Occluder {
    NONE,
    BAR,
    GLASSES
  }

  /**
   * How one image shows its identity's face.
   *
   * @param rotation the in-plane rotation, radians
   * @param scale the scale factor
   * @param yaw the horizontal squeeze: the face's middle moves by this fraction of its half-width
   * @param mouthOpen the mouth opening, in [0, 1]
   * @param smile the mouth's curvature, in [-1, 1]: positive raises its corners
   * @param eyeOpen the eye opening, in (0, 1]
   * @param occluder the occluder
   * @param occluderY the bar's height on the face (−1 forehead … 1 chin)
   * @param occluderSize the bar's half-height in face units
   * @param occluderShade the occluder's grey level
   * @param lensOpacity the opacity of the glasses' lenses, in [0, 1]
   */
  record Pose(
      float rotation,
      float scale,
      float yaw,
      float mouthOpen,
      float smile,
      float eyeOpen,
      Occluder occluder,
      float occluderY,
      float occluderSize,
      float occluderShade,
      float lensOpacity) {

    /** The pose of the plain generator: straight, neutral, nothing in front. */
    static final Pose NEUTRAL = new Pose(0, 1, 0, 0, 0, 1, Occluder.NONE, 0, 0, 0, 0);

    /**
     * Draws a pose; always the same number of draws, whatever the amounts.
     *
     * @param r the image's variation generator
     * @param v the amounts
     * @return the pose
     */
    static Pose draw(SplittableRandom r, FaceVariation v) {
      float rotation = (float) Math.toRadians(v.rotation() * (2 * r.nextDouble() - 1));
      float scale = (float) (1 + v.scale() * (2 * r.nextDouble() - 1));
      float yaw = (float) (v.pose() * (2 * r.nextDouble() - 1));
      float mouthOpen = (float) (v.expression() * Math.max(0, 1.5 * r.nextDouble() - 0.5));
      float smile = (float) (v.expression() * (2 * r.nextDouble() - 1));
      float eyeOpen = (float) (1 - 0.75 * v.expression() * Math.pow(r.nextDouble(), 2));
      boolean occluded = r.nextDouble() < v.occlusion();
      Occluder occluder =
          !occluded ? Occluder.NONE : r.nextBoolean() ? Occluder.BAR : Occluder.GLASSES;
      if (!occluded) {
        r.nextBoolean();
      }
      float y = (float) (2 * r.nextDouble() - 1);
      float size = (float) (5 + 7 * r.nextDouble());
      float shade = (float) (15 + 60 * r.nextDouble());
      float lens = (float) (0.25 + 0.7 * r.nextDouble());
      return new Pose(
          rotation, scale, yaw, mouthOpen, smile, eyeOpen, occluder, y, size, shade, lens);
    }
  }

  private final int side;
  private final float[] fx;
  private final float[] fy;
  private final float edge;
  private final float[][] rgb;

  private FacePainter(int side, float edge) {
    this.side = side;
    this.fx = new float[side * side];
    this.fy = new float[side * side];
    this.edge = edge;
    this.rgb = new float[3][side * side];
  }

  /**
   * Paints a face.
   *
   * @param face the identity's parameters
   * @param pose the image's pose
   * @param side the output side
   * @return three planes of {@code side × side} values in about [0, 255]
   */
  static float[][] paint(FaceParameters face, Pose pose, int side) {
    FaceParameters.Cursor p = face.cursor();
    float[] top = p.colour(40, 200);
    float[] bottom = p.colour(40, 200);
    float tone = (float) p.nextDouble();
    float[] skin = new float[3];
    for (int c = 0; c < 3; c++) {
      skin[c] = LIGHT_SKIN[c] + (DARK_SKIN[c] - LIGHT_SKIN[c]) * tone + p.uniform(-10, 10);
    }
    float[] hair = p.colour(15, 120);
    float cx = 56 + p.uniform(-4, 4);
    float cy = 60 + p.uniform(-4, 4);
    float rx = p.uniform(30, 38);
    float ry = p.uniform(40, 48);
    float hairTop = cy - ry + p.uniform(2, 10);
    float ex = rx * p.uniform(0.34f, 0.46f);
    float ey = cy - ry * p.uniform(0.12f, 0.24f);
    float[] iris = p.colour(20, 110);
    float irisRadius = p.uniform(2.5f, 3.5f);
    float brow = p.uniform(6, 8);
    float[][] eyes = new float[2][];
    for (int s = 0; s < 2; s++) {
      eyes[s] = new float[] {p.uniform(5, 7), p.uniform(3, 4), p.uniform(6, 8)};
    }
    float[] nose = {skin[0] * 0.85f, skin[1] * 0.85f, skin[2] * 0.85f};
    float noseY = cy + p.uniform(4, 8);
    float noseW = p.uniform(3, 4.5f);
    float noseH = p.uniform(6, 10);
    float[] lips = {p.uniform(150, 200), p.uniform(60, 100), p.uniform(60, 100)};
    float mouthY = cy + ry * p.uniform(0.42f, 0.55f);
    float mouthW = p.uniform(8, 14);
    float mouthH = p.uniform(2.5f, 4);

    float edge = 1.5f * REFERENCE / side;
    FacePainter painter = new FacePainter(side, pose.scale() == 1 ? edge : edge / pose.scale());
    painter.map(pose, cx, rx + 5);
    painter.background(top, bottom);
    painter.ellipse(cx, cy - 6, rx + 5, ry + 4, 0, hair);
    painter.ellipse(cx, cy + 4, rx, ry - 4, 0, skin);
    painter.ellipse(cx, hairTop, rx * 0.95f, ry * 0.35f, 0, hair);
    float[] sides = {-1, 1};
    for (int s = 0; s < 2; s++) {
      float lr = sides[s];
      float eyeH = pose.eyeOpen() < 1 ? eyes[s][1] * pose.eyeOpen() : eyes[s][1];
      float irisH = pose.eyeOpen() < 1 ? Math.min(irisRadius, eyeH) : irisRadius;
      painter.ellipse(cx + lr * ex, ey, eyes[s][0], eyeH, 0, WHITE);
      painter.ellipse(cx + lr * ex, ey, irisRadius, irisH, 0, iris);
      painter.ellipse(cx + lr * ex, ey - brow, eyes[s][2], 1.8f, 0, hair);
    }
    painter.ellipse(cx, noseY, noseW, noseH, 0, nose);
    float bend = -4 * pose.smile();
    painter.ellipse(cx, mouthY, mouthW, mouthH * (1 + pose.mouthOpen()), bend, lips);
    if (pose.mouthOpen() > 0.05f) {
      float inside = mouthH * pose.mouthOpen() * 0.8f;
      painter.ellipse(cx, mouthY, mouthW * 0.75f, inside, bend, MOUTH_INSIDE);
    }
    float shade = pose.occluderShade();
    float[] dark = {shade, shade, shade * 1.05f};
    if (pose.occluder() == Occluder.BAR) {
      painter.rect(cx, cy + pose.occluderY() * ry * 0.8f, rx + 8, pose.occluderSize(), 1, dark);
    } else if (pose.occluder() == Occluder.GLASSES) {
      float lensX = ex;
      for (float lr : sides) {
        float lensW = eyes[0][0] + 4;
        painter.ellipse(cx + lr * lensX, ey, lensW, 7, 0, pose.lensOpacity(), dark);
        painter.ring(cx + lr * lensX, ey, lensW, 7, 1.6f, dark);
      }
      painter.rect(cx, ey - 1, lensX - eyes[0][0] - 4, 0.9f, 1, dark);
    }
    painter.shade(p);
    return painter.rgb;
  }

  /** Sets the face coordinates of every output pixel. */
  private void map(Pose pose, float faceX, float halfWidth) {
    float toReference = (float) REFERENCE / side;
    float cos = (float) Math.cos(pose.rotation());
    float sin = (float) Math.sin(pose.rotation());
    float t = pose.yaw();
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        float px = x;
        float py = y;
        if (side != REFERENCE) {
          px = (x + 0.5f) * toReference - 0.5f;
          py = (y + 0.5f) * toReference - 0.5f;
        }
        if (pose.rotation() != 0 || pose.scale() != 1) {
          float dx = px - CENTRE_X;
          float dy = py - CENTRE_Y;
          px = CENTRE_X + (cos * dx + sin * dy) / pose.scale();
          py = CENTRE_Y + (-sin * dx + cos * dy) / pose.scale();
        }
        if (t != 0) {
          float w = (px - faceX) / halfWidth;
          if (Math.abs(w) < 1) {
            w = w < t ? (w + 1) / (1 + t) - 1 : (w - t) / (1 - t);
            px = faceX + w * halfWidth;
          }
        }
        fx[y * side + x] = px;
        fy[y * side + x] = py;
      }
    }
  }

  /** A vertical two-colour gradient over the whole reference square. */
  private void background(float[] top, float[] bottom) {
    for (int i = 0; i < fy.length; i++) {
      float t = Math.min(1, Math.max(0, fy[i] / (REFERENCE - 1f)));
      for (int c = 0; c < 3; c++) {
        rgb[c][i] = top[c] + (bottom[c] - top[c]) * t;
      }
    }
  }

  private void ellipse(float cx, float cy, float rx, float ry, float bend, float[] colour) {
    ellipse(cx, cy, rx, ry, bend, 1, colour);
  }

  /**
   * Blends a soft-edged ellipse whose centre line bends by {@code bend × u²} ({@code u} the
   * normalised x), at an opacity.
   */
  private void ellipse(
      float cx, float cy, float rx, float ry, float bend, float opacity, float[] colour) {
    float sharpness = Math.min(rx, ry) / edge;
    float reachY = ry + Math.abs(bend) + 1;
    for (int i = 0; i < fx.length; i++) {
      if (Math.abs(fx[i] - cx) > rx + 1 || Math.abs(fy[i] - cy) > reachY) {
        continue;
      }
      float u = (fx[i] - cx) / rx;
      float v = bend == 0 ? (fy[i] - cy) / ry : (fy[i] - cy - bend * u * u) / ry;
      float alpha = (1 - (float) Math.sqrt(u * u + v * v)) * sharpness;
      if (alpha > 0) {
        blend(i, Math.min(1, alpha) * opacity, colour);
      }
    }
  }

  /** Blends the soft outline of an ellipse, {@code thickness} face units wide. */
  private void ring(float cx, float cy, float rx, float ry, float thickness, float[] colour) {
    float radius = Math.min(rx, ry);
    for (int i = 0; i < fx.length; i++) {
      float u = (fx[i] - cx) / rx;
      float v = (fy[i] - cy) / ry;
      float off = Math.abs((float) Math.sqrt(u * u + v * v) - 1) * radius;
      float alpha = (thickness / 2 - off) / edge;
      if (alpha > 0) {
        blend(i, Math.min(1, alpha), colour);
      }
    }
  }

  /** Blends a soft-edged axis-aligned rectangle (in face coordinates). */
  private void rect(float cx, float cy, float halfW, float halfH, float opacity, float[] colour) {
    for (int i = 0; i < fx.length; i++) {
      float inside = Math.min(halfW - Math.abs(fx[i] - cx), halfH - Math.abs(fy[i] - cy));
      float alpha = inside / edge + 0.5f;
      if (alpha > 0) {
        blend(i, Math.min(1, alpha) * opacity, colour);
      }
    }
  }

  private void blend(int i, float alpha, float[] colour) {
    for (int c = 0; c < 3; c++) {
      rgb[c][i] += (colour[c] - rgb[c][i]) * alpha;
    }
  }

  /** Multiplies by two random low-frequency waves, like uneven lighting (the last draws). */
  private void shade(FaceParameters.Cursor p) {
    float[][] waves = new float[2][];
    for (int w = 0; w < 2; w++) {
      double angle = p.nextDouble() * 2 * Math.PI;
      double frequency = p.uniform(0.02f, 0.06f);
      waves[w] =
          new float[] {
            (float) (Math.cos(angle) * frequency),
            (float) (Math.sin(angle) * frequency),
            p.uniform(0, (float) (2 * Math.PI)),
            p.uniform(0.03f, 0.08f)
          };
    }
    for (int i = 0; i < fx.length; i++) {
      float factor = 1;
      for (float[] w : waves) {
        factor += w[3] * (float) Math.cos(w[0] * fx[i] + w[1] * fy[i] + w[2]);
      }
      for (int c = 0; c < 3; c++) {
        rgb[c][i] *= factor;
      }
    }
  }
}
