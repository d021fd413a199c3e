-- topolint for Neovim: inline, cross-file findings from `topolint lsp`.
--
-- Works with Neovim 0.7+ and no plugin (`require('topolint').setup()`, which uses
-- `vim.lsp.start_client`), or with nvim-lspconfig (`require('topolint').lspconfig()`).
-- Put this directory on 'runtimepath' (or copy this file to ~/.config/nvim/lua/) first.
-- See editors/README.md.

local M = {}

-- YAML (compose, Kubernetes, Istio) and nginx. Neovim names `*/nginx/*.conf` and
-- `nginx.conf` `nginx`; other `.conf` files are `conf`.
M.filetypes = { 'yaml', 'yaml.docker-compose', 'nginx', 'conf' }

-- The workspace a file belongs to: the nearest directory with `topolint.toml` or `.git`,
-- else Neovim's working directory when the file is under it, else the file's directory.
-- (Findings are cross-file: the root decides which files are linted together.)
function M.find_root(fname)
  local dir = vim.fn.fnamemodify(fname, ':p:h')
  local config = vim.fn.findfile('topolint.toml', dir .. ';')
  if config ~= '' then
    return vim.fn.fnamemodify(config, ':p:h')
  end
  local git = vim.fn.finddir('.git', dir .. ';')
  if git ~= '' then
    return vim.fn.fnamemodify(git, ':p:h:h')
  end
  local cwd = vim.fn.getcwd()
  if dir == cwd or vim.startswith(dir, cwd .. '/') then
    return cwd
  end
  return dir
end

-- "Suppress ... with a reason": the server's code action runs the `topolint.suppress`
-- command; ask for the reason here, then let the server insert
-- `# topolint: ignore[rule-id] reason` (it answers with `workspace/applyEdit`).
function M.suppress(command, ctx)
  local args = vim.deepcopy(command.arguments[1])
  vim.ui.input({ prompt = 'Why is `' .. args.rule .. '` fine here? ' }, function(reason)
    if reason == nil or vim.trim(reason) == '' then
      vim.notify('topolint: a suppression needs a reason', vim.log.levels.WARN)
      return
    end
    args.reason = reason
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      client.request('workspace/executeCommand', { command = command.command, arguments = { args } }, nil, ctx.bufnr)
    end
  end)
end

-- The client configuration. `opts`: `cmd` (the binary, default `topolint`), `config_path`
-- (a topolint.toml instead of the nearest one), `debounce_ms`, and anything
-- `vim.lsp.start_client` takes (`on_attach`, `on_exit`, `capabilities`, ...).
function M.config(opts)
  opts = opts or {}
  local config = vim.tbl_extend('force', {}, opts)
  config.cmd = { opts.cmd or 'topolint', 'lsp' }
  config.name = 'topolint'
  config.init_options = { configPath = opts.config_path, debounceMs = opts.debounce_ms }
  config.config_path, config.debounce_ms = nil, nil
  return config
end

-- Without plugins: one client per workspace root, attached to every matching buffer.
function M.setup(opts)
  opts = opts or {}
  vim.lsp.commands['topolint.suppress'] = M.suppress
  local clients = {}
  local group = vim.api.nvim_create_augroup('topolint', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.filetypes,
    callback = function(ev)
      local fname = vim.api.nvim_buf_get_name(ev.buf)
      if fname == '' then
        return
      end
      local root = (opts.root_dir or M.find_root)(fname)
      local id = clients[root]
      if id == nil or vim.lsp.client_is_stopped(id) then
        local config = M.config(opts)
        config.root_dir = root
        id = vim.lsp.start_client(config)
        clients[root] = id
      end
      if id then
        vim.lsp.buf_attach_client(ev.buf, id)
      end
    end,
  })
end

-- With nvim-lspconfig: registers `topolint` and sets it up.
function M.lspconfig(opts)
  opts = opts or {}
  vim.lsp.commands['topolint.suppress'] = M.suppress
  local configs = require('lspconfig.configs')
  if not configs.topolint then
    local config = M.config(opts)
    configs.topolint = {
      default_config = {
        cmd = config.cmd,
        filetypes = M.filetypes,
        root_dir = require('lspconfig.util').root_pattern('topolint.toml', '.git'),
        init_options = config.init_options,
        single_file_support = true,
      },
    }
  end
  local setup = vim.tbl_extend('force', {}, opts)
  setup.cmd, setup.config_path, setup.debounce_ms = nil, nil, nil
  require('lspconfig').topolint.setup(setup)
end

return M
