#include <torch/nn/modules/normalization.h>

#include <cmath>

#include "engine/export/onnx_models.h"
#include "models/vit.h"

namespace fovea::engine::onnx_export {
namespace {

using Ints = std::vector<int64_t>;

class ViTWriter {
 public:
  ViTWriter(GraphBuilder& g, const models::ViTImpl& model, const Weights& w) : g_(g), model_(model), w_(w) {
    for (const auto& item : model.named_modules()) {
      if (const auto* ln = item.value()->as<torch::nn::LayerNorm>()) eps_[item.key()] = ln->options.eps();
    }
  }

  void write(const std::string& images) {
    const auto& o = model_.options();
    const int64_t D = o.embed_dim, heads = o.num_heads;
    // Constants shared by every block.
    qkv_shape_ = g_.int64s("const.qkv_shape", {0, 0, 3, heads, D / heads});  // 0: keep batch, tokens
    merge_shape_ = g_.int64s("const.merge_heads_shape", {0, 0, D});
    for (int64_t i = 0; i < 3; ++i) index_[i] = g_.int64_scalar("const.index" + std::to_string(i), i);
    scale_ = g_.float_scalar("const.attention_scale", static_cast<float>(1.0 / std::sqrt(double(D / heads))));
    inv_sqrt2_ = g_.float_scalar("const.inv_sqrt2", static_cast<float>(1.0 / std::sqrt(2.0)));
    one_ = g_.float_scalar("const.one", 1.0f);
    half_ = g_.float_scalar("const.half", 0.5f);

    // Patch embedding: (B, C, H, W) -> (B, D, rows, cols) -> (B, rows*cols, D).
    std::string x = g_.node("Conv", {images, param("patch_embed.proj.weight"), param("patch_embed.proj.bias")}, "patch_embed.proj",
                            {{"kernel_shape", Ints{o.patch_size, o.patch_size}}, {"strides", Ints{o.patch_size, o.patch_size}}});
    x = g_.node("Reshape", {x, g_.int64s("const.patch_flatten_shape", {0, D, -1})}, "patch_embed.flatten");
    x = g_.node("Transpose", {x}, "patch_embed.tokens", {{"perm", Ints{0, 2, 1}}});
    // The class token for every image: expanded to (B, 1, D), B read from the tokens' shape.
    const std::string batch = g_.node("Shape", {x}, "batch", {{"start", int64_t{0}}, {"end", int64_t{1}}});
    const std::string cls_shape = g_.node("Concat", {batch, g_.int64s("const.cls_shape_tail", {1, D})}, "cls_shape",
                                          {{"axis", int64_t{0}}});
    const std::string cls = g_.node("Expand", {param("cls_token"), cls_shape}, "cls_token.expand");
    x = g_.node("Concat", {cls, x}, "tokens", {{"axis", int64_t{1}}});
    x = g_.node("Add", {x, param("pos_embed")}, "pos_embed.add");

    for (int64_t i = 0; i < o.depth; ++i) x = block(x, "blocks." + std::to_string(i) + ".");
    x = layer_norm(x, "norm");
    x = g_.node("Gather", {x, index_[0]}, "cls_output", {{"axis", int64_t{1}}});  // (B, D)
    g_.node("Gemm", {x, param("head.weight"), param("head.bias")}, "logits", {{"transB", int64_t{1}}});
  }

 private:
  std::string param(const std::string& name) { return g_.initializer(name, weight(w_, name)); }

  std::string layer_norm(const std::string& x, const std::string& name) {
    return g_.node("LayerNormalization", {x, param(name + ".weight"), param(name + ".bias")}, name,
                   {{"axis", int64_t{-1}}, {"epsilon", static_cast<float>(eps_.at(name))}});
  }

  // x @ W^T + b on (B, tokens, in): the weight is stored transposed, as MatMul wants it.
  std::string linear(const std::string& x, const std::string& name) {
    const std::string w = g_.initializer(name + ".weight_t", weight(w_, name + ".weight").t());
    return g_.node("Add", {g_.node("MatMul", {x, w}, name + ".matmul"), param(name + ".bias")}, name);
  }

  // Exact (erf) GELU, 0.5 * x * (1 + erf(x / sqrt 2)): ONNX's Gelu op only exists from opset 20.
  std::string gelu(const std::string& x, const std::string& p) {
    const std::string e = g_.node("Erf", {g_.node("Mul", {x, inv_sqrt2_}, p + "gelu.scale")}, p + "gelu.erf");
    const std::string y = g_.node("Mul", {x, g_.node("Add", {e, one_}, p + "gelu.add")}, p + "gelu.mul");
    return g_.node("Mul", {y, half_}, p + "gelu");
  }

  std::string attention(const std::string& x, const std::string& p) {
    // (B, N, 3D) -> (B, N, 3, heads, head_dim) -> (3, B, heads, N, head_dim): q, k, v.
    std::string qkv = g_.node("Reshape", {linear(x, p + "qkv"), qkv_shape_}, p + "qkv.split_heads");
    qkv = g_.node("Transpose", {qkv}, p + "qkv.permute", {{"perm", Ints{2, 0, 3, 1, 4}}});
    const std::string q = g_.node("Gather", {qkv, index_[0]}, p + "q", {{"axis", int64_t{0}}});
    const std::string k = g_.node("Gather", {qkv, index_[1]}, p + "k", {{"axis", int64_t{0}}});
    const std::string v = g_.node("Gather", {qkv, index_[2]}, p + "v", {{"axis", int64_t{0}}});
    const std::string kt = g_.node("Transpose", {k}, p + "k.transpose", {{"perm", Ints{0, 1, 3, 2}}});
    std::string a = g_.node("MatMul", {g_.node("Mul", {q, scale_}, p + "q.scaled"), kt}, p + "scores");
    a = g_.node("Softmax", {a}, p + "softmax", {{"axis", int64_t{-1}}});
    std::string y = g_.node("MatMul", {a, v}, p + "context");  // (B, heads, N, head_dim)
    y = g_.node("Transpose", {y}, p + "merge_heads", {{"perm", Ints{0, 2, 1, 3}}});
    y = g_.node("Reshape", {y, merge_shape_}, p + "merge_heads.reshape");
    return linear(y, p + "proj");
  }

  // Pre-norm: x + attn(norm1(x)), then x + mlp(norm2(x)).
  std::string block(const std::string& x, const std::string& p) {
    const std::string a = attention(layer_norm(x, p + "norm1"), p + "attn.");
    const std::string x1 = g_.node("Add", {x, a}, p + "residual1");
    const std::string h = gelu(linear(layer_norm(x1, p + "norm2"), p + "mlp.fc1"), p + "mlp.");
    return g_.node("Add", {x1, linear(h, p + "mlp.fc2")}, p + "residual2");
  }

  GraphBuilder& g_;
  const models::ViTImpl& model_;
  const Weights& w_;
  std::map<std::string, double> eps_;
  std::string qkv_shape_, merge_shape_, index_[3], scale_, inv_sqrt2_, one_, half_;
};

}  // namespace

void add_vit(GraphBuilder& g, const models::ViTImpl& model, const Weights& weights, const std::string& images) {
  ViTWriter(g, model, weights).write(images);
}

}  // namespace fovea::engine::onnx_export
