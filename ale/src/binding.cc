// Node-API binding of the Arcade Learning Environment (ALE) for asyncrl.
//
// One AleGame object wraps one ale::ALEInterface: a ROM loaded with its settings, stepped one emulator
// frame per act() (frame skipping, max-pooling and the rest of the preprocessing are done by the caller,
// in asyncrl's Atari environment, so that each step can be tested on its own). Every object is independent,
// so worker threads each make their own; the module keeps no state of its own.
//
// This file is part of @asyncrl/ale and is distributed under the GNU General Public License, version 2
// (see LICENSE), as is ALE, which it links.
#include <napi.h>

#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "ale/ale_interface.hpp"
#include "ale/common/Log.hpp"
#include "ale/emucore/MD5.hxx"
#include "ale/games/Roms.hpp"
#include "version.hpp"

namespace {

// Runs `body`, turning a C++ exception from ALE into a JavaScript Error with the same message.
template <typename F>
auto guarded(Napi::Env env, F body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& error) {
    throw Napi::Error::New(env, std::string("ALE: ") + error.what());
  }
}

Napi::Int32Array actionArray(Napi::Env env, const ale::ActionVect& actions) {
  auto out = Napi::Int32Array::New(env, actions.size());
  for (size_t i = 0; i < actions.size(); i++) out[i] = static_cast<int32_t>(actions[i]);
  return out;
}

class AleGame : public Napi::ObjectWrap<AleGame> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "AleGame",
                       {
                           InstanceMethod<&AleGame::Act>("act"),
                           InstanceMethod<&AleGame::GameOver>("gameOver"),
                           InstanceMethod<&AleGame::ResetGame>("resetGame"),
                           InstanceMethod<&AleGame::Lives>("lives"),
                           InstanceMethod<&AleGame::ScreenGrayscale>("screenGrayscale"),
                           InstanceMethod<&AleGame::ScreenRgb>("screenRgb"),
                           InstanceMethod<&AleGame::MinimalActions>("minimalActions"),
                           InstanceMethod<&AleGame::LegalActions>("legalActions"),
                           InstanceMethod<&AleGame::FrameNumber>("frameNumber"),
                           InstanceMethod<&AleGame::EpisodeFrameNumber>("episodeFrameNumber"),
                           InstanceMethod<&AleGame::Ram>("ram"),
                           InstanceAccessor<&AleGame::Height>("height"),
                           InstanceAccessor<&AleGame::Width>("width"),
                       });
  }

  // new AleGame(romPath, { seed, repeatActionProbability, mode?, difficulty? })
  explicit AleGame(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AleGame>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
      throw Napi::TypeError::New(env, "AleGame(romPath: string, options: { seed, repeatActionProbability, mode?, difficulty? })");
    }
    const std::string rom = info[0].As<Napi::String>().Utf8Value();
    Napi::Object options = info[1].As<Napi::Object>();
    const int32_t seed = options.Get("seed").As<Napi::Number>().Int32Value();
    const double sticky = options.Get("repeatActionProbability").As<Napi::Number>().DoubleValue();
    guarded(env, [&] {
      ale_ = std::make_unique<ale::ALEInterface>();
      ale_->setInt("random_seed", seed);
      ale_->setFloat("repeat_action_probability", static_cast<float>(sticky));
      // Frame skipping, episode limits and resets are the caller's: one act() is one emulator frame.
      ale_->setInt("frame_skip", 1);
      ale_->setInt("max_num_frames_per_episode", 0);
      ale_->loadROM(rom);
      bool changed = false;
      if (options.Has("mode") && options.Get("mode").IsNumber()) {
        ale_->setMode(static_cast<ale::game_mode_t>(options.Get("mode").As<Napi::Number>().Uint32Value()));
        changed = true;
      }
      if (options.Has("difficulty") && options.Get("difficulty").IsNumber()) {
        ale_->setDifficulty(static_cast<ale::difficulty_t>(options.Get("difficulty").As<Napi::Number>().Uint32Value()));
        changed = true;
      }
      if (changed) ale_->reset_game();
      const ale::ALEScreen& screen = ale_->getScreen();
      height_ = static_cast<int>(screen.height());
      width_ = static_cast<int>(screen.width());
      return 0;
    });
  }

 private:
  std::unique_ptr<ale::ALEInterface> ale_;
  std::vector<unsigned char> buffer_;
  int height_ = 0;
  int width_ = 0;

  // act(action, paddleStrength = 1) → the reward of one emulator frame
  Napi::Value Act(const Napi::CallbackInfo& info) {
    const int32_t action = info[0].As<Napi::Number>().Int32Value();
    if (action < 0 || action > static_cast<int32_t>(ale::PLAYER_A_DOWNLEFTFIRE)) {
      throw Napi::RangeError::New(info.Env(), "AleGame.act: action " + std::to_string(action) + " is not an ALE action (0 to 17)");
    }
    const float strength = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().FloatValue() : 1.0f;
    return Napi::Number::New(info.Env(), guarded(info.Env(), [&] { return ale_->act(static_cast<ale::Action>(action), strength); }));
  }

  Napi::Value GameOver(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), ale_->game_over(false)); }

  Napi::Value ResetGame(const Napi::CallbackInfo& info) {
    guarded(info.Env(), [&] {
      ale_->reset_game();
      return 0;
    });
    return info.Env().Undefined();
  }

  Napi::Value Lives(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ale_->lives()); }

  // screenGrayscale(out: Uint8Array of height × width): the screen's luminance, row-major
  Napi::Value ScreenGrayscale(const Napi::CallbackInfo& info) {
    Napi::Uint8Array out = info[0].As<Napi::Uint8Array>();
    const size_t size = static_cast<size_t>(height_) * width_;
    if (out.ElementLength() != size) {
      throw Napi::RangeError::New(info.Env(), "AleGame.screenGrayscale: expected a Uint8Array of " + std::to_string(size) + " bytes");
    }
    buffer_.resize(size);
    ale_->getScreenGrayscale(buffer_);
    std::memcpy(out.Data(), buffer_.data(), size);
    return info.Env().Undefined();
  }

  // screenRgb(out: Uint8Array of height × width × 3): red, green, blue interleaved, row-major
  Napi::Value ScreenRgb(const Napi::CallbackInfo& info) {
    Napi::Uint8Array out = info[0].As<Napi::Uint8Array>();
    const size_t size = static_cast<size_t>(height_) * width_ * 3;
    if (out.ElementLength() != size) {
      throw Napi::RangeError::New(info.Env(), "AleGame.screenRgb: expected a Uint8Array of " + std::to_string(size) + " bytes");
    }
    buffer_.resize(size);
    ale_->getScreenRGB(buffer_);
    std::memcpy(out.Data(), buffer_.data(), size);
    return info.Env().Undefined();
  }

  Napi::Value MinimalActions(const Napi::CallbackInfo& info) { return actionArray(info.Env(), ale_->getMinimalActionSet()); }
  Napi::Value LegalActions(const Napi::CallbackInfo& info) { return actionArray(info.Env(), ale_->getLegalActionSet()); }
  Napi::Value FrameNumber(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ale_->getFrameNumber()); }
  Napi::Value EpisodeFrameNumber(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ale_->getEpisodeFrameNumber()); }

  Napi::Value Ram(const Napi::CallbackInfo& info) {
    const ale::ALERAM& ram = ale_->getRAM();
    auto out = Napi::Uint8Array::New(info.Env(), ram.size());
    std::memcpy(out.Data(), ram.array(), ram.size());
    return out;
  }

  Napi::Value Height(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), height_); }
  Napi::Value Width(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), width_); }
};

// identifyRom(path) → the game ALE recognises in the file by its md5 alone ("tetris", "pong", …), or null.
// (ALEInterface::isSupportedROM also matches on the file's name, so that tetris.bin renamed pong.bin
// would be looked up as Pong and reported as unknown rather than as Tetris.)
Napi::Value IdentifyRom(const Napi::CallbackInfo& info) {
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  std::ifstream file(path, std::ios::binary);
  if (!file.good()) throw Napi::Error::New(info.Env(), "ALE: cannot open " + path);
  std::vector<uint8_t> rom((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::string md5 = ale::stella::MD5(rom.data(), static_cast<uint32_t>(rom.size()));
  std::unique_ptr<ale::RomSettings> settings(ale::buildRomRLWrapper(fs::path(), md5));
  if (!settings || settings->md5() != md5) return info.Env().Null();
  return Napi::String::New(info.Env(), settings->rom());
}

// gameInfo(name) → { rom, md5, minimalActions } of a game ALE supports, without its ROM; or null
Napi::Value GameInfo(const Napi::CallbackInfo& info) {
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  std::unique_ptr<ale::RomSettings> settings(ale::buildRomRLWrapper(name + ".bin", std::string()));
  if (!settings) return info.Env().Null();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("rom", settings->rom());
  out.Set("md5", settings->md5());
  out.Set("minimalActions", actionArray(info.Env(), settings->getMinimalActionSet()));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // ALE's banner and per-ROM notices would go to every worker's stdout; errors still reach the caller.
  ale::Logger::setMode(ale::Logger::Error);
  exports.Set("AleGame", AleGame::Define(env));
  exports.Set("identifyRom", Napi::Function::New(env, IdentifyRom));
  exports.Set("gameInfo", Napi::Function::New(env, GameInfo));
  exports.Set("aleVersion", Napi::String::New(env, ALE_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(asyncrl_ale, Init)
