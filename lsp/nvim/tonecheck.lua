-- tonecheck language server for Neovim's built-in LSP client (Neovim 0.7 or newer, no plugins).
--
--   Copy this file to ~/.config/nvim/lua/tonecheck.lua, then in init.lua:
--     require('tonecheck').setup({ settings = { debounceMs = 150 } })
--   or load it from a checkout:
--     dofile('/path/to/tonecheck/lsp/nvim/tonecheck.lua').setup()
--
-- One server runs per project root (the folder holding .tonecheck.yaml,
-- pyproject.toml or .git); every buffer of a listed filetype attaches to it.
-- `settings` are the server settings of the README's "Language server" section;
-- they go out as initializationOptions and answer workspace/configuration.

local M = {}

M.defaults = {
  cmd = { 'tonecheck', 'lsp' },
  filetypes = { 'text', 'markdown', 'mail', 'html', 'gitcommit' },
  root_markers = { '.tonecheck.yaml', '.tonecheck.yml', 'pyproject.toml', '.git' },
  settings = {},
  on_attach = nil, -- function(client, bufnr), e.g. to map vim.lsp.buf.code_action
}

local clients = {} -- root folder -> client id

local function find_root(start, markers)
  for _, marker in ipairs(markers) do
    local file = vim.fn.findfile(marker, start .. ';')
    if file ~= '' then
      return vim.fn.fnamemodify(file, ':p:h')
    end
    local dir = vim.fn.finddir(marker, start .. ';')
    if dir ~= '' then
      return vim.fn.fnamemodify(dir, ':p:h:h')
    end
  end
  return start
end

function M.attach(bufnr, config)
  config = config or M.config or M.defaults
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  local root = find_root(start, config.root_markers)
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client({
      name = 'tonecheck',
      cmd = config.cmd,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      init_options = config.settings,
      settings = { tonecheck = config.settings },
      on_attach = config.on_attach,
    })
    if id == nil then
      vim.notify('tonecheck: could not start ' .. table.concat(config.cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

-- Stop the servers and attach every open buffer again: configuration and packs are
-- read afresh (Neovim before 0.10 does not tell servers about changed files).
function M.restart()
  for root, id in pairs(clients) do
    vim.lsp.stop_client(id)
    clients[root] = nil
  end
  vim.defer_fn(function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
        M.attach(buf, M.config)
      end
    end
  end, 500)
end

function M.setup(opts)
  M.config = vim.tbl_extend('force', M.defaults, opts or {}) -- shallow: a given list replaces the default
  local group = vim.api.nvim_create_augroup('tonecheck_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf, M.config)
    end,
  })
  vim.api.nvim_create_user_command('TonecheckRestart', M.restart, { desc = 'Restart the tonecheck language server' })
  return M
end

return M
