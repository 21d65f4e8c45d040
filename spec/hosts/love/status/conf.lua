-- Headless: no window, no graphics, no audio, none of SDL's input
-- modules. timer, event and system stay (love.update and love.event.quit
-- need them).
function love.conf(t)
  t.window = false
  for _, m in ipairs { "audio", "sound", "graphics", "image", "font", "video", "window",
    "joystick", "keyboard", "mouse", "touch", "physics" } do
    t.modules[m] = false
  end
end
