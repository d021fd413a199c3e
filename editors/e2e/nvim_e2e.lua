-- `topolint lsp` driven by Neovim's own LSP client (headless), through the snippet users
-- install (editors/neovim/lua/topolint.lua, plain `vim.lsp.start_client`):
-- open nginx's site configuration in a compose stack, get the cross-file finding, edit
-- compose.yaml in the editor, get it cleared, undo, get it back; apply the quick fix and a
-- "suppress with a reason" through `vim.lsp.buf.code_action()` and see the buffer and the
-- file change; stop the server and check it exited with 0.
--
-- Environment: TOPOLINT_BIN (the binary), TOPOLINT_REPO (this checkout), TOPOLINT_E2E_ROOT
-- (a copy of examples/shop). Run by crates/topolint/tests/lsp_e2e.rs:
--   nvim --headless -u NONE -i NONE --noplugin -c 'luafile editors/e2e/nvim_e2e.lua'

local bin = assert(os.getenv('TOPOLINT_BIN'), 'TOPOLINT_BIN')
local repo = assert(os.getenv('TOPOLINT_REPO'), 'TOPOLINT_REPO')
local root = assert(os.getenv('TOPOLINT_E2E_ROOT'), 'TOPOLINT_E2E_ROOT')
local PUBLISHED = 'published-port-used-internally'
local LOCALHOST = 'localhost-upstream-in-container'
local TIMEOUT = 20000

local function say(msg)
  io.stdout:write(msg .. '\n')
end

local function fail(msg)
  io.stderr:write('nvim e2e FAILED: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local function codes(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    out[#out + 1] = tostring(d.code)
  end
  return out
end

local function has(buf, code)
  return vim.tbl_contains(codes(buf), code)
end

local function wait_for(what, pred)
  if not vim.wait(TIMEOUT, pred, 20) then
    fail('timed out waiting for ' .. what)
  end
  say('ok: ' .. what)
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
  vim.cmd('filetype on')
  -- As a user would: Neovim started in the project.
  vim.cmd('cd ' .. vim.fn.fnameescape(root))
  local exit = {}
  require('topolint').setup({
    cmd = bin,
    on_exit = function(code, signal)
      exit.code, exit.signal = code, signal
    end,
  })

  -- 1. The cross-file finding shows in nginx's configuration.
  local conf = root .. '/nginx/conf.d/shop.conf'
  vim.cmd('edit ' .. vim.fn.fnameescape(conf))
  local conf_buf = vim.api.nvim_get_current_buf()
  if vim.bo[conf_buf].filetype ~= 'nginx' then
    fail('shop.conf has filetype ' .. vim.bo[conf_buf].filetype)
  end
  wait_for('the cross-file finding in shop.conf', function()
    return has(conf_buf, PUBLISHED)
  end)
  local d
  for _, x in ipairs(vim.diagnostic.get(conf_buf)) do
    if x.code == PUBLISHED then
      d = x
    end
  end
  if d.lnum ~= 1 or d.col ~= 11 then
    fail(('finding at %d:%d, expected 1:11'):format(d.lnum, d.col))
  end
  local related = d.user_data.lsp.relatedInformation or {}
  local evidence = false
  for _, r in ipairs(related) do
    evidence = evidence or r.location.uri == vim.uri_from_fname(root .. '/compose.yaml')
  end
  if not evidence then
    fail('no evidence in compose.yaml')
  end
  local client = vim.lsp.get_active_clients()[1]

  -- 2. Edit compose.yaml in the editor: the API listens on 8081 in its container.
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/compose.yaml'))
  local compose_buf = vim.api.nvim_get_current_buf()
  local lines = vim.api.nvim_buf_get_lines(compose_buf, 0, -1, false)
  local changed = 0
  for i, line in ipairs(lines) do
    local new = line:gsub('"8081:8000"', '"8081:8081"'):gsub('"%-%-port", "8000"', '"--port", "8081"')
    if new ~= line then
      vim.api.nvim_buf_set_lines(compose_buf, i - 1, i, false, { new })
      changed = changed + 1
    end
  end
  if changed ~= 2 then
    fail('expected 2 lines to change in compose.yaml, changed ' .. changed)
  end
  wait_for('the finding in shop.conf cleared by the compose edit', function()
    return not has(conf_buf, PUBLISHED) and has(conf_buf, LOCALHOST)
  end)

  -- 3. Undo: it comes back.
  vim.cmd('silent undo')
  vim.cmd('silent undo')
  wait_for('the finding back after undo', function()
    return has(conf_buf, PUBLISHED)
  end)

  -- 4. The quick fix, chosen in `vim.lsp.buf.code_action()`, edits the buffer; `:write`.
  vim.cmd('buffer ' .. conf_buf)
  local fix_line
  for i, line in ipairs(vim.api.nvim_buf_get_lines(conf_buf, 0, -1, false)) do
    if line:find('localhost:3000', 1, true) then
      fix_line = i
    end
  end
  local function choose(pattern)
    vim.ui.select = function(items, opts, on_choice)
      for i, item in ipairs(items) do
        local action = item[2]
        if action.title:find(pattern) then
          return on_choice(item, i)
        end
      end
      fail('no code action matching ' .. pattern)
    end
  end
  vim.api.nvim_win_set_cursor(0, { fix_line, 0 })
  choose('storefront')
  vim.lsp.buf.code_action()
  wait_for('the fix applied to the buffer', function()
    local line = vim.api.nvim_buf_get_lines(conf_buf, fix_line - 1, fix_line, false)[1]
    return line:find('http://storefront:3000', 1, true) ~= nil
  end)
  vim.cmd('silent write')
  local on_disk = table.concat(vim.fn.readfile(conf), '\n')
  if not on_disk:find('proxy_pass http://storefront:3000;', 1, true) then
    fail('the fixed file was not written')
  end
  wait_for('the localhost finding gone after the fix', function()
    return not has(conf_buf, LOCALHOST) and has(conf_buf, PUBLISHED)
  end)

  -- 5. "Suppress with a reason": the snippet asks (vim.ui.input), the server edits.
  vim.api.nvim_win_set_cursor(0, { 2, 12 })
  vim.ui.input = function(_, on_confirm)
    on_confirm('the load balancer publishes 8081 too')
  end
  choose('^Suppress `' .. PUBLISHED:gsub('%-', '%%-') .. '`')
  vim.lsp.buf.code_action()
  wait_for('the suppression comment inserted', function()
    local line = vim.api.nvim_buf_get_lines(conf_buf, 1, 2, false)[1]
    return line == '    # topolint: ignore[' .. PUBLISHED .. '] the load balancer publishes 8081 too'
  end)
  wait_for('the suppressed finding gone', function()
    return not has(conf_buf, PUBLISHED) and not has(conf_buf, 'suppression-without-reason')
  end)

  -- 6. Stop the server: shutdown + exit, status 0.
  client.stop()
  wait_for('the server exited', function()
    return exit.code ~= nil
  end)
  if exit.code ~= 0 or exit.signal ~= 0 then
    fail(('the server exited with code %s, signal %s'):format(exit.code, exit.signal))
  end
end)

if not ok then
  fail(tostring(err))
end
say('nvim e2e: all steps passed')
vim.cmd('qall!')
