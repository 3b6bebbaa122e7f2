// `amanah card ID`: the person's card, printed and handed to them. It carries the pseudonym
// as text and as a QR code of its QR payload (spec §2.4), and nothing else about the person:
// no name, no role, no district. SVG is written by hand from the QR matrix (libqrencode);
// PNG is drawn into a grey-scale bitmap (the ID in a built-in 5×7 font) and encoded with
// libpng's simplified API, which reports errors by return value (no longjmp through C++).
#include <png.h>
#include <qrencode.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "amanah/pseudonym.h"
#include "card.h"
#include "cli.h"
#include "io.h"

namespace amanah::cli {
namespace {

// The QR matrix: true = dark module.
struct QrMatrix {
  int width = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const { return dark[static_cast<size_t>(y * width + x)]; }
};

Result<QrMatrix> EncodeQr(const std::string& payload) {
  // Error correction M (15%): a card gets creased and dirty.
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(
      QRcode_encodeString(payload.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!code) return Internal("the QR code could not be made");
  QrMatrix m;
  m.width = code->width;
  m.dark.resize(static_cast<size_t>(m.width * m.width));
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;
  return m;
}

constexpr int kModulePx = 8;  // one QR module
constexpr int kQuiet = 4;     // the quiet zone the QR standard asks for, in modules

std::string Svg(const Pseudonym& id, const QrMatrix& qr) {
  const int qr_px = (qr.width + 2 * kQuiet) * kModulePx;
  const int width = std::max(qr_px, 360);
  const int x0 = (width - qr_px) / 2 + kQuiet * kModulePx;
  const int y0 = 48 + kQuiet * kModulePx;
  const int height = 48 + qr_px + 56;
  std::string path;
  for (int y = 0; y < qr.width; ++y) {
    for (int x = 0; x < qr.width; ++x) {
      if (!qr.at(x, y)) continue;
      path += "M" + std::to_string(x0 + x * kModulePx) + " " + std::to_string(y0 + y * kModulePx) +
              "h" + std::to_string(kModulePx) + "v" + std::to_string(kModulePx) + "h-" +
              std::to_string(kModulePx) + "z";
    }
  }
  const std::string w = std::to_string(width), h = std::to_string(height);
  const std::string mid = std::to_string(width / 2);
  // The ID's canonical text is [0-9A-Z*~$=-]: nothing in it needs escaping in XML.
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
         "\">\n"
         "<title>Amanah ID " +
         id.ToString() +
         "</title>\n"
         "<rect width=\"" +
         w + "\" height=\"" + h +
         "\" fill=\"#fff\"/>\n"
         "<text x=\"" +
         mid +
         "\" y=\"34\" text-anchor=\"middle\" font-family=\"sans-serif\" "
         "font-size=\"22\" fill=\"#000\">Amanah</text>\n"
         "<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"" +
         path +
         "\"/>\n"
         "<text x=\"" +
         mid + "\" y=\"" + std::to_string(48 + qr_px + 36) +
         "\" text-anchor=\"middle\" font-family=\"DejaVu Sans Mono,monospace\" font-size=\"32\" "
         "font-weight=\"bold\" fill=\"#000\">" +
         id.ToString() +
         "</text>\n"
         "</svg>\n";
}

// A 5×7 font for the symbols an ID and the card's title use, top row first.
struct Glyph {
  char c;
  const char* rows[7];
};
constexpr Glyph kFont[] = {
    {'0', {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}},
    {'1', {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'2', {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}},
    {'3', {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'5', {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}},
    {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
    {'7', {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}},
    {'8', {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}},
    {'A', {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'B', {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."}},
    {'C', {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}},
    {'D', {"###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."}},
    {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
    {'F', {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}},
    {'G', {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"}},
    {'H', {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'J', {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'K', {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"}},
    {'M', {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}},
    {'N', {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"}},
    {'P', {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
    {'Q', {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"}},
    {'R', {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}},
    {'S', {".####", "#....", "#....", ".###.", "....#", "....#", "####."}},
    {'T', {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'U', {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'V', {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."}},
    {'W', {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."}},
    {'X', {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"}},
    {'Y', {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."}},
    {'Z', {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"}},
    {'*', {".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."}},
    {'~', {".....", ".....", ".#...", "#.#.#", "...#.", ".....", "....."}},
    {'$', {"..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#.."}},
    {'=', {".....", ".....", "#####", ".....", "#####", ".....", "....."}},
    {'-', {".....", ".....", ".....", "#####", ".....", ".....", "....."}},
};

class Bitmap {
 public:
  Bitmap(int width, int height)
      : width_(width), height_(height), pixels_(static_cast<size_t>(width * height), 255) {}
  void Fill(int x, int y, int w, int h) {
    for (int j = y; j < y + h && j < height_; ++j) {
      for (int i = x; i < x + w && i < width_; ++i)
        pixels_[static_cast<size_t>(j * width_ + i)] = 0;
    }
  }
  // Draws `text` centred at row `y` with pixels of `scale`×`scale`.
  void Text(std::string_view text, int y, int scale) {
    const int advance = 6 * scale;
    int x = (width_ - static_cast<int>(text.size()) * advance + scale) / 2;
    for (char c : text) {
      for (const Glyph& g : kFont) {
        if (g.c != c) continue;
        for (int row = 0; row < 7; ++row) {
          for (int col = 0; col < 5; ++col) {
            if (g.rows[row][col] == '#') Fill(x + col * scale, y + row * scale, scale, scale);
          }
        }
      }
      x += advance;
    }
  }
  int width() const { return width_; }
  int height() const { return height_; }
  const uint8_t* data() const { return pixels_.data(); }

 private:
  int width_, height_;
  std::vector<uint8_t> pixels_;
};

Result<std::string> Png(const Pseudonym& id, const QrMatrix& qr) {
  const int qr_px = (qr.width + 2 * kQuiet) * kModulePx;
  const std::string text = id.ToString();
  const int text_scale = 4;
  const int width = std::max(qr_px, static_cast<int>(text.size()) * 6 * text_scale + 48);
  const int title_h = 48, text_h = 64;
  Bitmap bitmap(width, title_h + qr_px + text_h);
  bitmap.Text("AMANAH", 16, 3);
  const int x0 = (width - qr_px) / 2 + kQuiet * kModulePx, y0 = title_h + kQuiet * kModulePx;
  for (int y = 0; y < qr.width; ++y) {
    for (int x = 0; x < qr.width; ++x) {
      if (qr.at(x, y)) bitmap.Fill(x0 + x * kModulePx, y0 + y * kModulePx, kModulePx, kModulePx);
    }
  }
  bitmap.Text(text, title_h + qr_px + 8, text_scale);

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(bitmap.width());
  image.height = static_cast<png_uint_32>(bitmap.height());
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, bitmap.data(), 0, nullptr)) {
    png_image_free(&image);
    return Internal("the PNG could not be encoded");
  }
  std::string png(size, '\0');
  if (!png_image_write_to_memory(&image, png.data(), &size, 0, bitmap.data(), 0, nullptr)) {
    png_image_free(&image);
    return Internal("the PNG could not be encoded");
  }
  png.resize(size);
  return png;
}

struct CardOptions {
  std::string id;
  std::string format = "svg";
  std::string out;
  bool force = false;
};

Status Card(Context& ctx, const CardOptions& o) {
  Result<Pseudonym> id = Pseudonym::Parse(o.id);
  if (!id.ok()) return Status(id.status().code(), o.id + ": " + id.status().message());
  AMANAH_RETURN_IF_ERROR(WriteCard(*id, o.format, o.out, o.force));
  ctx.console.out() << "card for " << id->ToString() << " written to " << o.out
                    << " (QR code: " << id->QrPayload() << ")\n";
  return Status::Ok();
}

}  // namespace

Result<std::string> RenderCard(const Pseudonym& id, std::string_view format) {
  if (format != "svg" && format != "png") return InvalidArgument("a card is svg or png");
  AMANAH_ASSIGN_OR_RETURN(QrMatrix qr, EncodeQr(id.QrPayload()));
  if (format == "svg") return Svg(id, qr);
  return Png(id, qr);
}

Status WriteCard(const Pseudonym& id, std::string_view format, const std::string& path,
                 bool overwrite) {
  AMANAH_ASSIGN_OR_RETURN(std::string data, RenderCard(id, format));
  return WriteFileAtomic(path, data, {.secret = false, .overwrite = overwrite});
}

void AddCardCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CardOptions>();
  auto* card = app.add_subcommand(
      "card", "Make a person's card: the pseudonym ID as text and as a QR code, nothing else");
  card->add_option("ID", o->id, "The pseudonym ID, e.g. DXGN-Q2EJ-8QK")->required();
  card->add_option("--format", o->format, "svg (default) or png")
      ->check(CLI::IsMember({"svg", "png"}));
  card->add_option("--out", o->out, "The file to write")->required();
  card->add_flag("--force", o->force, "Replace --out if it exists");
  card->footer("Example:\n  amanah card DXGN-Q2EJ-8QK --format png --out DXGN-Q2EJ-8QK.png");
  OnRun(card, ctx, [&ctx, o] { return Card(ctx, *o); });
}

}  // namespace amanah::cli
