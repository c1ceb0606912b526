;;; tonecheck-eglot.el --- tonecheck language server through eglot  -*- lexical-binding: t; -*-

;; Load it from init.el (Emacs 29 or newer, where eglot is built in):
;;   (load "/path/to/tonecheck/lsp/emacs/tonecheck-eglot.el")
;; then open a draft: eglot starts `tonecheck lsp` for text, Markdown, mail and HTML
;; buffers.  Diagnostics appear through Flymake; `M-x eglot-code-actions' offers
;; the rewrites; `M-x eldoc' (or hovering) shows why a phrase was flagged.

;;; Code:

(require 'eglot)

(defgroup tonecheck nil
  "Reply-tone linting for customer-support drafts."
  :group 'tools)

(defcustom tonecheck-command '("tonecheck" "lsp")
  "Command that starts the tonecheck language server."
  :type '(repeat string))

(defcustom tonecheck-settings '(:debounceMs 150)
  "Server settings (see the README's \"Language server\" section), as a plist."
  :type 'plist)

(defconst tonecheck-modes
  '((text-mode :language-id "plaintext")
    (markdown-mode :language-id "markdown")
    (gfm-mode :language-id "markdown")
    (message-mode :language-id "email")
    (mail-mode :language-id "email")
    (html-mode :language-id "html")
    (mhtml-mode :language-id "html"))
  "Major modes tonecheck lints, with the LSP language id each sends.")

(add-to-list 'eglot-server-programs
             (cons tonecheck-modes
                   (lambda (&rest _)
                     (append tonecheck-command
                             (list :initializationOptions tonecheck-settings)))))

;; Answer the server's workspace/configuration request with the same settings.
(setq-default eglot-workspace-configuration
              (plist-put (copy-sequence (default-value 'eglot-workspace-configuration))
                         :tonecheck tonecheck-settings))

(defun tonecheck-eglot-ensure ()
  "Start eglot in buffers whose major mode is one of `tonecheck-modes' (not modes derived from them)."
  (when (assq major-mode tonecheck-modes)
    (eglot-ensure)))

(dolist (mode tonecheck-modes)
  (add-hook (intern (format "%s-hook" (car mode))) #'tonecheck-eglot-ensure))

(provide 'tonecheck-eglot)
;;; tonecheck-eglot.el ends here
